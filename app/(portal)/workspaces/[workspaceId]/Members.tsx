'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '../../../trpc';
import { Field, FormMessage } from '../../../components/Field';

type Role = 'viewer' | 'editor' | 'owner';
const ROLES: Role[] = ['viewer', 'editor', 'owner'];

export function Members({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.member.list.queryOptions({ workspaceId }));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.member.list.queryKey({ workspaceId }) });

  const invite = useMutation(
    trpc.member.invite.mutationOptions({
      onSuccess: (r) => {
        setEmail('');
        setNotice(
          r.status === 'invited'
            ? `${r.email} was invited as ${r.role}: they join when they accept (signing up first if they have no account).`
            : `${r.email} is already a member (${r.role}).`,
        );
        return refresh();
      },
    }),
  );
  const setMemberRole = useMutation(trpc.member.setRole.mutationOptions({ onSuccess: () => (setNotice('Role changed.'), refresh()) }));
  const remove = useMutation(trpc.member.remove.mutationOptions({ onSuccess: () => (setNotice('Member removed.'), refresh()) }));
  const revoke = useMutation(trpc.member.revokeInvitation.mutationOptions({ onSuccess: () => (setNotice('Invitation withdrawn.'), refresh()) }));
  const leave = useMutation(
    trpc.member.leave.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push('/home');
      },
    }),
  );
  const failure = [invite, setMemberRole, remove, revoke, leave].find((m) => m.error)?.error;
  const { message, fields } = errorInfo(failure);
  const isOwner = members.data?.myRole === 'owner';

  function submit(e: FormEvent) {
    e.preventDefault();
    setNotice('');
    invite.mutate({ workspaceId, email, role });
  }

  return (
    <section aria-labelledby="members-heading" className="card">
      <h2 id="members-heading">Members</h2>
      {members.isPending ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="list" data-testid="member-list">
          {members.data?.members.map((m) => (
            <li key={m.userId}>
              <span>
                {m.email}
                {m.userId === members.data.me && <span className="muted"> (you)</span>}
              </span>
              {isOwner ? (
                <span className="row-actions">
                  <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
                    Role of {m.email}
                  </label>
                  <select
                    id={`role-${m.userId}`}
                    value={m.role}
                    onChange={(e) => setMemberRole.mutate({ workspaceId, userId: m.userId, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                  {m.userId !== members.data.me && (
                    <button type="button" className="button button-quiet" onClick={() => remove.mutate({ workspaceId, userId: m.userId })} aria-label={`Remove ${m.email}`}>
                      Remove
                    </button>
                  )}
                </span>
              ) : (
                <span className={`badge badge-${m.role}`}>{m.role}</span>
              )}
            </li>
          ))}
          {members.data?.invitations.map((i) => (
            <li key={i.email}>
              <span>
                {i.email} <span className="muted">(invited)</span>
              </span>
              <span className="row-actions">
                <span className={`badge badge-${i.role}`}>{i.role}</span>
                {isOwner && (
                  <button type="button" className="button button-quiet" onClick={() => revoke.mutate({ workspaceId, email: i.email })} aria-label={`Withdraw the invitation of ${i.email}`}>
                    Withdraw
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {isOwner && (
        <form onSubmit={submit} aria-label="Invite a member" className="stack-tight">
          <Field id="invite-email" label="Invite by email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fields.email} required />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </div>
          <button type="submit" className="button" disabled={invite.isPending}>
            Invite
          </button>
        </form>
      )}
      <FormMessage error={fields.email ? undefined : message} success={failure ? undefined : notice} />
      <p>
        <button type="button" className="button button-quiet" onClick={() => leave.mutate({ workspaceId })} disabled={leave.isPending}>
          Leave workspace
        </button>
      </p>
    </section>
  );
}
