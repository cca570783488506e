'use client';

import { useState, type DragEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDate, useTRPC } from '@/app/trpc';

/** The content type of an uploaded model bundle (server/uploads/model-upload.ts). */
export const MODEL_BUNDLE_TYPE = 'application/vnd.deeper.model-bundle+json';

/** Input size (px) and classes of an uploaded model, from its stored name "… (S px, C classes)". */
export function modelShape(name: string): { inputSize: number; classes: number } | null {
  const m = /\((\d+) px, (\d+) classes\)$/.exec(name);
  return m ? { inputSize: Number(m[1]), classes: Number(m[2]) } : null;
}

/** The workspace's uploaded models (newest first). */
export function useUploadedModels(workspaceId: string) {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.artifact.list.queryOptions({ workspaceId, limit: 500 }), enabled: !!workspaceId });
  return { models: (list.data ?? []).filter((a) => a.contentType === MODEL_BUNDLE_TYPE), queryKey: trpc.artifact.list.queryKey({ workspaceId, limit: 500 }) };
}

/**
 * Bring your own network: drop the folder tf.LayersModel.save wrote (model.json and its weight
 * files), or choose the files; they go up as multipart to /api/uploads/model, which checks the
 * model and stores it in the workspace. Lists the workspace's models.
 */
export function ModelUpload({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const qc = useQueryClient();
  const { models, queryKey } = useUploadedModels(workspaceId);
  const [state, setState] = useState<{ busy: boolean; error: string; done: string }>({ busy: false, error: '', done: '' });
  const [over, setOver] = useState(false);

  async function upload(files: File[]) {
    if (!files.length) return;
    setState({ busy: true, error: '', done: '' });
    const form = new FormData();
    form.set('workspaceId', workspaceId);
    for (const f of files) form.append('files', f, f.name);
    try {
      const res = await fetch('/api/uploads/model', { method: 'POST', body: form });
      const body = (await res.json().catch(() => ({}))) as { error?: string; name?: string };
      if (!res.ok) return setState({ busy: false, error: body.error ?? `Upload failed (HTTP ${res.status})`, done: '' });
      setState({ busy: false, error: '', done: `Uploaded ${body.name}.` });
      await qc.invalidateQueries({ queryKey });
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
    <section className="card stack-tight" aria-labelledby="models-h" data-testid="model-upload">
      <h2 id="models-h">Networks</h2>
      {canEdit && (
        <div
          className={`drop-zone${over ? ' drop-over' : ''}`}
          onDragOver={(e) => (e.preventDefault(), setOver(true))}
          onDragLeave={() => setOver(false)}
          onDrop={drop}
          data-testid="model-drop-zone"
        >
          <p>Drop a TensorFlow.js LayersModel here (model.json and its .bin weight files), or</p>
          <label className="button button-quiet" htmlFor="model-files">
            Choose files
          </label>
          <input id="model-files" type="file" multiple className="visually-hidden" onChange={(e) => void upload([...(e.target.files ?? [])])} aria-label="Model files (model.json and weights)" />
          <p className="hint">Input [null, S, S, 3] (S = render.sizePx), output one score per identity. Then choose it in an experiment’s configuration.</p>
        </div>
      )}
      {state.busy && <p className="muted">Uploading…</p>}
      {state.error && (
        <p className="alert alert-error" role="alert" data-testid="upload-error">
          {state.error}
        </p>
      )}
      {state.done && <p className="alert alert-success">{state.done}</p>}
      {models.length > 0 ? (
        <ul className="list" data-testid="model-list">
          {models.map((m) => (
            <li key={m.id}>
              {m.name} <span className="muted small">{formatDate(m.createdAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No uploaded networks yet: runs train a ResNet-10.</p>
      )}
    </section>
  );
}
