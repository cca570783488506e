'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTRPC } from '../trpc';

export function PortalHeader() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      // A full navigation drops every cached query with the page; clearing the cache first
      // made the session query refetch (null) and race this redirect with ?next=.
      onSuccess: () => window.location.assign('/sign-in'),
    }),
  );
  // A cookie that no longer names a session (expired, revoked): sign in again.
  useEffect(() => {
    if (me.isSuccess && me.data === null && signOut.isIdle) {
      const here = window.location.pathname + window.location.search;
      router.replace(`/sign-in?next=${encodeURIComponent(here)}`);
    }
  }, [me.isSuccess, me.data, signOut.isIdle, router]);

  return (
    <header className="topbar">
      <Link href="/home" className="brand">
        Deeper
      </Link>
      <nav aria-label="Account">
        <Link href="/home">Home</Link>
        {me.data && (
          <span className="muted" data-testid="current-user">
            {me.data.email}
          </span>
        )}
        <button type="button" className="button button-quiet" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </nav>
    </header>
  );
}
