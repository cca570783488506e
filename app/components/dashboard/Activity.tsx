'use client';

import Link from 'next/link';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDate, useTRPC } from '@/app/trpc';

/** The workspace's activity: runs launched and finished, comments, publications, newest first. */
export function ActivityFeed({ workspaceId, limit = 15 }: { workspaceId: string; limit?: number }) {
  const trpc = useTRPC();
  const feed = useQuery({ ...trpc.activity.list.queryOptions({ workspaceId, limit }), refetchInterval: 10_000 });
  return (
    <section className="card" aria-labelledby="activity-h" data-testid="activity-feed">
      <h2 id="activity-h">Activity</h2>
      {feed.data?.length === 0 && <p className="muted">Nothing yet: launch a run or comment on one.</p>}
      <ol className="comment-list">
        {feed.data?.map((a, i) => (
          <li key={`${a.kind}-${i}-${String(a.at)}`}>
            <div className="comment-meta">{formatDate(a.at)}</div>
            <div>
              <strong>{a.actor}</strong> {a.href ? <Link href={a.href}>{a.text}</Link> : a.text}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Comments on an experiment (and its runs): list and a form. */
export function ExperimentComments({ experimentId, canEdit }: { experimentId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.comments.forExperiment.queryOptions({ experimentId }));
  return (
    <section className="card" aria-labelledby="exp-comments-h">
      <h2 id="exp-comments-h">Discussion</h2>
      {list.data?.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comment-list">
        {list.data?.map((c) => (
          <li key={c.id}>
            <div className="comment-meta">
              {c.author} · {formatDate(c.createdAt)}
              {c.runId ? (
                <>
                  {' '}
                  · on <Link href={`/runs/${c.runId}`}>a run</Link>
                </>
              ) : null}
              {c.vertex !== null ? ` · vertex ${c.vertex}` : ''}
            </div>
            <div>{c.body}</div>
          </li>
        ))}
      </ol>
      {canEdit && <ExperimentCommentForm experimentId={experimentId} />}
    </section>
  );
}

function ExperimentCommentForm({ experimentId }: { experimentId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const add = useMutation(
    trpc.comments.addToExperiment.mutationOptions({
      onSuccess: () => {
        setBody('');
        qc.invalidateQueries({ queryKey: trpc.comments.forExperiment.queryKey({ experimentId }) });
      },
    }),
  );
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate({ experimentId, body });
      }}
    >
      <label className="visually-hidden" htmlFor="exp-comment">
        Comment on this experiment
      </label>
      <textarea id="exp-comment" placeholder="Comment on this experiment…" value={body} onChange={(e) => setBody(e.target.value)} rows={2} />
      <button className="button" type="submit" disabled={!body.trim() || add.isPending}>
        Comment
      </button>
    </form>
  );
}
