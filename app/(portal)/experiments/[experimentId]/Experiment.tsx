'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '../../../trpc';
import { Field, FormMessage, TextArea } from '../../../components/Field';
import { RunPanel } from '../../../components/runs/RunPanel';
import { ConfigEditor, draftFrom, sectionsOf, type ConfigDraft } from '../../../components/runs/ConfigEditor';

/** `config` without the dotted paths given. */
function withoutKeys(config: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const out = structuredClone(config);
  for (const p of paths) {
    const parts = p.split('.');
    const last = parts.pop()!;
    const parent = parts.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), out);
    if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[last];
  }
  return out;
}

/** `value`, updated `ms` after it stops changing. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

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
  const [draft, setDraft] = useState<ConfigDraft>(() => draftFrom({}));
  const [saved, setSaved] = useState('');

  useEffect(() => {
    if (!exp.data) return;
    const c = exp.data.config as Record<string, unknown>;
    setName(exp.data.name);
    setDescription(exp.data.description);
    setSeed(String(c.seed ?? ''));
    // Keys unknown today are warned about (above the editor) and left out of the draft, so the
    // next save drops them instead of being refused for them.
    setDraft(draftFrom(withoutKeys(sectionsOf(c), exp.data.unknownKeys)));
  }, [exp.data]);

  // The estimate follows the draft as it is edited (the last valid draft, 300 ms after typing stops).
  const [lastValid, setLastValid] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    if (!draft.problem && exp.data) setLastValid({ ...draft.sections, name: name || 'draft', seed: seed.trim() === '' ? undefined : Number(seed) });
  }, [draft, name, seed, exp.data]);
  const liveConfig = useDebounced(lastValid, 300);
  const estimateConfig = useMemo(() => liveConfig ?? (exp.data?.config as Record<string, unknown> | undefined) ?? {}, [liveConfig, exp.data]);

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
    if (draft.problem) return;
    const seedNumber = seed.trim() === '' ? undefined : Number(seed);
    update.mutate({ experimentId, config: { ...draft.sections, name, description, seed: seedNumber } });
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
          {e.unknownKeys.length > 0 && (
            <p className="notice" role="status" data-testid="unknown-keys-warning">
              The stored configuration holds keys this version does not know, ignored when it runs and dropped when you save: {e.unknownKeys.join(', ')}.
            </p>
          )}
          <ConfigEditor
            workspaceId={e.workspaceId}
            draft={draft}
            onChange={(d) => (setSaved(''), setDraft(d))}
            serverErrors={Object.entries(fields).filter(([k]) => !/^config\.(name|description|seed)$/.test(k)).map(([k, v]) => `${k}: ${v}`).join('; ') || undefined}
          />
          <FormMessage error={Object.keys(fields).length ? undefined : message} success={saved} />
          <div className="button-row">
            <button type="submit" className="button" disabled={update.isPending || !!draft.problem}>
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
      <RunPanel experimentId={experimentId} workspaceId={e.workspaceId} config={canEdit ? estimateConfig : (e.config as Record<string, unknown>)} canEdit={canEdit} />
    </div>
  );
}
