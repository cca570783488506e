'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '../../../trpc';
import { Field, FormMessage, TextArea } from '../../../components/Field';
import { RunPanel } from '../../../components/runs/RunPanel';

/** The configuration beyond name, description and seed, edited as JSON. */
function advancedPart(config: Record<string, unknown>): string {
  const { name: _n, description: _d, seed: _s, ...rest } = config;
  return JSON.stringify(rest, null, 2);
}

export function Experiment({ experimentId }: { experimentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const exp = useQuery(trpc.experiment.get.queryOptions({ experimentId }));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [seed, setSeed] = useState('');
  const [advanced, setAdvanced] = useState('{}');
  const [jsonError, setJsonError] = useState('');
  const [saved, setSaved] = useState('');

  useEffect(() => {
    if (!exp.data) return;
    const c = exp.data.config as Record<string, unknown>;
    setName(exp.data.name);
    setDescription(exp.data.description);
    setSeed(String(c.seed ?? ''));
    setAdvanced(advancedPart(c));
  }, [exp.data]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.experiment.get.queryKey({ experimentId }) });
  const update = useMutation(trpc.experiment.update.mutationOptions({ onSuccess: () => (setSaved('Saved.'), refresh()) }));
  const archive = useMutation(trpc.experiment.setArchived.mutationOptions({ onSuccess: (r) => (setSaved(r.archivedAt ? 'Archived.' : 'Restored.'), refresh()) }));
  const { message, fields } = errorInfo(update.error ?? archive.error);

  if (exp.isPending) return <p className="muted">Loading…</p>;
  if (exp.error) {
    return (
      <div className="card">
        <h1>Experiment not found</h1>
        <p>{errorInfo(exp.error).message} It may not exist, or you are not a member of its workspace.</p>
        <Link href="/home">Back to your workspaces</Link>
      </div>
    );
  }
  const e = exp.data;
  const canEdit = e.role !== 'viewer';

  function submit(ev: FormEvent) {
    ev.preventDefault();
    setSaved('');
    let rest: Record<string, unknown>;
    try {
      rest = JSON.parse(advanced || '{}');
      if (typeof rest !== 'object' || rest === null || Array.isArray(rest)) throw new Error('not an object');
      setJsonError('');
    } catch {
      setJsonError('Configuration must be a JSON object.');
      return;
    }
    const seedNumber = seed.trim() === '' ? undefined : Number(seed);
    update.mutate({ experimentId, config: { ...rest, name, description, seed: seedNumber } });
  }

  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/home">Workspaces</Link> / <Link href={`/workspaces/${e.workspaceId}`}>{e.workspaceName}</Link> /{' '}
        <span aria-current="page">{e.name}</span>
      </nav>
      <div className="title-row">
        <h1 data-testid="experiment-name">{e.name}</h1>
        {e.archivedAt && <span className="badge">archived</span>}
        <span className={`badge badge-${e.role}`}>{e.role}</span>
      </div>
      <p className="muted">
        Created {formatDate(e.createdAt)} · updated {formatDate(e.updatedAt)}
      </p>
      {canEdit ? (
        <form onSubmit={submit} className="card stack-tight" aria-label="Edit experiment">
          <Field id="exp-name" label="Name" value={name} onChange={(ev) => setName(ev.target.value)} error={fields['config.name']} required />
          <TextArea id="exp-description" label="Description" rows={3} value={description} onChange={(ev) => setDescription(ev.target.value)} error={fields['config.description']} />
          <Field id="exp-seed" label="Seed" type="number" min={0} step={1} value={seed} onChange={(ev) => setSeed(ev.target.value)} error={fields['config.seed']} hint="The same seed reproduces the same identities, stimuli and training." />
          <TextArea
            id="exp-config"
            label="Configuration (JSON)"
            rows={14}
            className="code"
            spellCheck={false}
            value={advanced}
            onChange={(ev) => setAdvanced(ev.target.value)}
            error={jsonError || Object.entries(fields).filter(([k]) => !/^config\.(name|description|seed)$/.test(k)).map(([k, v]) => `${k}: ${v}`).join('; ') || undefined}
            hint="Faces, rendering, training and analyses; missing fields take their defaults."
          />
          <FormMessage error={Object.keys(fields).length ? undefined : message} success={saved} />
          <div className="button-row">
            <button type="submit" className="button" disabled={update.isPending}>
              Save changes
            </button>
            <button type="button" className="button button-quiet" onClick={() => archive.mutate({ experimentId, archived: !e.archivedAt })} disabled={archive.isPending}>
              {e.archivedAt ? 'Unarchive' : 'Archive'}
            </button>
          </div>
        </form>
      ) : (
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <p className="notice" data-testid="read-only-notice">
            You have view access: only editors and owners can change this experiment.
          </p>
          <dl className="details">
            <dt>Description</dt>
            <dd>{e.description || <span className="muted">None</span>}</dd>
            <dt>Seed</dt>
            <dd>{String((e.config as Record<string, unknown>).seed ?? '')}</dd>
            <dt>Configuration</dt>
            <dd>
              <pre className="code">{advancedPart(e.config as Record<string, unknown>)}</pre>
            </dd>
          </dl>
        </section>
      )}
      <RunPanel experimentId={experimentId} workspaceId={e.workspaceId} config={e.config as Record<string, unknown>} canEdit={canEdit} />
    </div>
  );
}
