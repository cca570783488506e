'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '../../trpc';
import { Field, FormMessage } from '../../components/Field';

/** Server-read data of the three queries (home/page.tsx), so the first paint has content. */
export interface HomeInitial {
  workspaces: unknown;
  recent: unknown;
  invitations: unknown;
}

export function Home({ initial }: { initial?: HomeInitial }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  // initialData is what the server read for this request (typed as the client receives it).
  const workspaces = useQuery({ ...trpc.workspace.list.queryOptions(), initialData: initial?.workspaces as never });
  const recent = useQuery({ ...trpc.experiment.recent.queryOptions({ limit: 8 }), initialData: initial?.recent as never });
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.workspace.create.mutationOptions({
      onSuccess: async (ws) => {
        await queryClient.invalidateQueries({ queryKey: trpc.workspace.list.queryKey() });
        router.push(`/workspaces/${ws.id}`);
      },
    }),
  );
  const { message, fields } = errorInfo(create.error);
  const invitations = useQuery({ ...trpc.member.invitations.queryOptions(), initialData: initial?.invitations as never });
  const answered = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.member.invitations.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.workspace.list.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.experiment.recent.queryKey() })]);
  const accept = useMutation(trpc.member.accept.mutationOptions({ onSuccess: answered }));
  const decline = useMutation(trpc.member.decline.mutationOptions({ onSuccess: answered }));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ name });
  }

  return (
    <div className="stack">
      <h1>Your workspaces</h1>
      {invitations.data && invitations.data.length > 0 && (
        <section aria-labelledby="inv-heading" className="card">
          <h2 id="inv-heading">Invitations</h2>
          <ul className="list" data-testid="invitations">
            {invitations.data.map((i) => (
              <li key={i.workspaceId}>
                <span>
                  {i.workspaceName} <span className={`badge badge-${i.role}`}>{i.role}</span>
                  {i.invitedBy && <span className="muted"> from {i.invitedBy}</span>}
                </span>
                <span>
                  <button type="button" className="button" onClick={() => accept.mutate({ workspaceId: i.workspaceId })} aria-label={`Accept the invitation to ${i.workspaceName}`}>
                    Accept
                  </button>{' '}
                  <button type="button" className="button button-quiet" onClick={() => decline.mutate({ workspaceId: i.workspaceId })} aria-label={`Decline the invitation to ${i.workspaceName}`}>
                    Decline
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="columns">
        <section aria-labelledby="ws-heading" className="card">
          <h2 id="ws-heading">Workspaces</h2>
          {workspaces.isPending ? (
            <p className="muted">Loading…</p>
          ) : (
            <ul className="list" data-testid="workspace-list">
              {workspaces.data?.map((w) => (
                <li key={w.id}>
                  <Link href={`/workspaces/${w.id}`}>{w.name}</Link>
                  <span className={`badge badge-${w.role}`}>{w.role}</span>
                  {w.personal && <span className="badge">personal</span>}
                </li>
              ))}
            </ul>
          )}
          <form onSubmit={submit} className="inline-form" aria-label="Create a workspace">
            <Field id="new-workspace" label="New workspace" placeholder="e.g. Vision lab" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} />
            <button type="submit" className="button" disabled={create.isPending}>
              Create workspace
            </button>
          </form>
          <FormMessage error={fields.name ? undefined : message} />
        </section>
        <section aria-labelledby="recent-heading" className="card">
          <h2 id="recent-heading">Recent experiments</h2>
          {recent.isPending ? (
            <p className="muted">Loading…</p>
          ) : recent.data?.length ? (
            <ul className="list" data-testid="recent-experiments">
              {recent.data.map((e) => (
                <li key={e.id}>
                  <Link href={`/experiments/${e.id}`}>{e.name}</Link>
                  <span className="muted">
                    {e.workspaceName} · {formatDate(e.updatedAt)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No experiments yet. Open a workspace to create one.</p>
          )}
        </section>
      </div>
    </div>
  );
}
