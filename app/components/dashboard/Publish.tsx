'use client';

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '@/app/trpc';

/** The public link and a button that copies it. */
function PublicLink({ slug }: { slug: string }) {
  const url = typeof window === 'undefined' ? `/p/${slug}` : `${window.location.origin}/p/${slug}`;
  const [copied, setCopied] = useState('');
  return (
    <>
      <a href={url} target="_blank" rel="noreferrer" data-testid="publication-link">
        {url}
      </a>{' '}
      <button
        type="button"
        className="small-button"
        data-testid="copy-link"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(url);
            setCopied('Copied.');
          } catch {
            setCopied('Copy failed: select the link and copy it.');
          }
        }}
      >
        Copy link
      </button>{' '}
      <span className="small muted" aria-live="polite">
        {copied}
      </span>
    </>
  );
}

/** Publish a run's dashboard as an immutable snapshot; list and take down its publications. */
export function PublishPanel({ runId, canEdit, defaultTitle }: { runId: string; canEdit: boolean; defaultTitle: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.publications.forRun.queryOptions({ runId }));
  const [title, setTitle] = useState(defaultTitle);
  const [includeComments, setIncludeComments] = useState(true);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.publications.forRun.queryKey({ runId }) });
  const publish = useMutation(trpc.publications.publish.mutationOptions({ onSuccess: refresh }));
  const unpublish = useMutation(trpc.publications.unpublish.mutationOptions({ onSuccess: refresh }));
  return (
    <div className="stack-tight">
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            publish.mutate({ runId, title, includeComments });
          }}
        >
          <label htmlFor="pub-title">Title</label>
          <input id="pub-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
          <label className="control checkbox">
            <input type="checkbox" checked={includeComments} onChange={(e) => setIncludeComments(e.target.checked)} /> Include public pinned comments
          </label>
          <button className="button" type="submit" disabled={publish.isPending} data-testid="publish-button">
            Publish snapshot
          </button>
        </form>
      )}
      {publish.error && <p className="alert alert-error">{errorInfo(publish.error).message}</p>}
      <ul className="list" data-testid="publication-list">
        {list.data?.map((p) => (
          <li key={p.id}>
            <span>
              {p.unpublishedAt ? (
                <s>/p/{p.slug}</s>
              ) : (
                <PublicLink slug={p.slug} />
              )}{' '}
              <span className="muted small">
                “{p.title}”, {formatDate(p.createdAt)}
                {p.unpublishedAt ? `, unpublished ${formatDate(p.unpublishedAt)}` : ''}
              </span>
            </span>
            {!p.unpublishedAt && canEdit && (
              <button type="button" className="small-button" onClick={() => unpublish.mutate({ publicationId: p.id })} data-testid="unpublish-button">
                Unpublish
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.data?.length === 0 && <p className="muted small">Not published. A snapshot is public and read-only at /p/&lt;slug&gt;; add ?embed=1 to embed it.</p>}
    </div>
  );
}
