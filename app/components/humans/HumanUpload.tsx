'use client';

import { useState, type DragEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDate, useTRPC } from '@/app/trpc';

/** The content type of an uploaded human-trials CSV (server/uploads/human-upload.ts). */
export const HUMAN_TRIALS_TYPE = 'text/csv; profile=deeper-human-trials';

/**
 * Human observers' responses from elsewhere (a lab session, another platform): drop the tidy trial
 * CSV (docs/human-trials.md); it goes up as multipart to /api/uploads/humans, which validates every
 * row (errors name the line and the column) and stores it in the workspace. Lists the workspace's
 * uploaded response files; each downloads as the CSV that `analyse humans --csv` reads.
 */
export function HumanUpload({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery({ ...trpc.artifact.list.queryOptions({ workspaceId, limit: 500 }), enabled: !!workspaceId });
  const files = (list.data ?? []).filter((a) => a.contentType === HUMAN_TRIALS_TYPE);
  const [state, setState] = useState<{ busy: boolean; error: string; done: string }>({ busy: false, error: '', done: '' });
  const [over, setOver] = useState(false);

  async function upload(chosen: File[]) {
    if (chosen.length !== 1) return setState({ busy: false, error: 'Choose one CSV file.', done: '' });
    setState({ busy: true, error: '', done: '' });
    const form = new FormData();
    form.set('workspaceId', workspaceId);
    form.append('files', chosen[0]!, chosen[0]!.name);
    try {
      const res = await fetch('/api/uploads/humans', { method: 'POST', body: form });
      const body = (await res.json().catch(() => ({}))) as { error?: string; name?: string };
      if (!res.ok) return setState({ busy: false, error: body.error ?? `Upload failed (HTTP ${res.status})`, done: '' });
      setState({ busy: false, error: '', done: `Uploaded ${body.name}.` });
      await qc.invalidateQueries({ queryKey: trpc.artifact.list.queryKey({ workspaceId, limit: 500 }) });
    } catch {
      setState({ busy: false, error: 'Upload failed: the server could not be reached.', done: '' });
    }
  }
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void upload([...e.dataTransfer.files]);
  };

  return (
    <section className="card stack-tight" aria-labelledby="human-files-h" data-testid="human-upload">
      <h2 id="human-files-h">Human responses</h2>
      {canEdit && (
        <div className={`drop-zone${over ? ' drop-over' : ''}`} onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={drop}>
          <p>Drop a human-trials CSV here (one row per participant and trial, the columns of the data dictionary), or</p>
          <label className="button button-quiet" htmlFor="human-file">
            Choose a file
          </label>
          <input id="human-file" type="file" accept=".csv,text/csv" className="visually-hidden" onChange={(e) => void upload([...(e.target.files ?? [])])} aria-label="Human trials CSV" />
          <p className="hint">Every row is checked before it is stored. Analyse it with <code>npm run deeper -- analyse humans --csv &lt;file&gt; --out &lt;dir&gt;</code>.</p>
        </div>
      )}
      {state.busy && <p className="muted">Uploading…</p>}
      {state.error && (
        <p className="alert alert-error" role="alert" data-testid="human-upload-error">
          {state.error}
        </p>
      )}
      {state.done && <p className="alert alert-success">{state.done}</p>}
      {files.length > 0 ? (
        <ul className="list" data-testid="human-file-list">
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/api/artifacts/${f.id}`} download={`${f.name.replace(/ \(.*\)$/, '')}.csv`}>
                {f.name}
              </a>{' '}
              <span className="muted small">{formatDate(f.createdAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No uploaded human responses yet.</p>
      )}
    </section>
  );
}
