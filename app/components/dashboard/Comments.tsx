'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '@/app/trpc';
import type { VertexPick } from '../viewer/MapPanel';

/** The comment form shown while a vertex is picked on the map. */
export function PinForm({ runId, pick, onDone }: { runId: string; pick: VertexPick; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const [show, setShow] = useState(true);
  const add = useMutation(
    trpc.comments.addToRun.mutationOptions({
      onSuccess: () => {
        setBody('');
        qc.invalidateQueries({ queryKey: trpc.comments.forRun.queryKey({ runId }) });
        onDone();
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate({ runId, body, pin: { vertex: pick.vertex, mapKey: pick.mapKey, position: pick.position }, showInPublished: show });
  }
  return (
    <form className="card stack-tight" onSubmit={submit} aria-label="Pin a comment" data-testid="pin-form">
      <p className="small">
        Vertex <strong>{pick.vertex}</strong> at ({pick.position.map((x) => x.toFixed(1)).join(', ')}) mm on <code>{pick.mapKey}</code>
      </p>
      <label htmlFor="pin-body">Comment</label>
      <textarea id="pin-body" value={body} onChange={(e) => setBody(e.target.value)} rows={2} required maxLength={5000} />
      <label className="control checkbox">
        <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} /> Show in published snapshots
      </label>
      {add.error && <p className="alert alert-error">{errorInfo(add.error).message}</p>}
      <div className="button-row">
        <button className="button" type="submit" disabled={add.isPending || !body.trim()}>
          Pin comment
        </button>
        <button className="button button-quiet" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Comments on a run: the list (pinned ones say where), a general comment form, delete for the author. */
export function RunComments({ runId, canEdit, userId }: { runId: string; canEdit: boolean; userId?: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.comments.forRun.queryOptions({ runId }));
  const [body, setBody] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.comments.forRun.queryKey({ runId }) });
  const add = useMutation(trpc.comments.addToRun.mutationOptions({ onSuccess: () => (setBody(''), refresh()) }));
  const remove = useMutation(trpc.comments.remove.mutationOptions({ onSuccess: refresh }));
  return (
    <div className="stack-tight">
      {list.data && list.data.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comment-list" data-testid="comment-list">
        {list.data?.map((c) => (
          <li key={c.id}>
            <div className="comment-meta">
              {c.author} · {formatDate(c.createdAt)}
              {c.vertex !== null ? ` · pinned to vertex ${c.vertex}` : ''}
              {c.showInPublished ? ' · public' : ''}
            </div>
            <div>{c.body}</div>
            {(c.authorId === userId || !userId) && canEdit && (
              <button type="button" className="link-button" onClick={() => remove.mutate({ commentId: c.id })}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ol>
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate({ runId, body });
          }}
        >
          <label className="visually-hidden" htmlFor="run-comment">
            Comment on this run
          </label>
          <textarea id="run-comment" placeholder="Comment on this run…" value={body} onChange={(e) => setBody(e.target.value)} rows={2} />
          <button className="button" type="submit" disabled={!body.trim() || add.isPending}>
            Comment
          </button>
        </form>
      )}
    </div>
  );
}
