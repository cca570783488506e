'use client';

import { useState, type ReactNode } from 'react';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
// Types only: the browser talks to the server through tRPC (DESIGN.md), never imports its code.
import type { AppRouter } from '@/server/trpc/router';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** A session that expired while the page was open: back to sign-in, then here again. */
function onError(error: unknown): void {
  if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED' && typeof window !== 'undefined') {
    const here = window.location.pathname + window.location.search;
    if (!window.location.pathname.startsWith('/sign-')) window.location.assign(`/sign-in?next=${encodeURIComponent(here)}`);
  }
}

function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError: (e) => (e instanceof TRPCClientError && e.data?.path?.startsWith('auth.') ? undefined : onError(e)) }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, err) => !(err instanceof TRPCClientError && typeof err.data?.httpStatus === 'number' && err.data.httpStatus < 500) && count < 2,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc', maxItems: 10 /* the server's MAX_BATCH */ })] }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The message to show for a failed call, and per-field messages when the input was invalid. */
export function errorInfo(error: unknown): { message: string; fields: Record<string, string> } {
  if (error instanceof TRPCClientError) {
    const fields = (error.data as { fieldErrors?: Record<string, string> } | undefined)?.fieldErrors ?? {};
    return { message: error.message, fields };
  }
  return { message: error ? 'Something went wrong. Please try again.' : '', fields: {} };
}

/** A timestamp as shown in lists (JSON carries dates as ISO strings). */
export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
