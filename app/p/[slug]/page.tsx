import { notFound } from 'next/navigation';
import { headers } from 'next/headers';
import { TRPCError } from '@trpc/server';
import { createCaller } from '@/server/trpc/router';
import { createContext } from '@/server/trpc/context';
import { PublicDashboard } from './PublicDashboard';

export const dynamic = 'force-dynamic';

/** The snapshot through tRPC (a server-side caller of publications.view); null once unpublished. */
async function loadSnapshot(slug: string) {
  const h = await headers();
  const caller = createCaller(await createContext({ req: new Request('http://localhost/p', { headers: new Headers(h) }), resHeaders: new Headers() }));
  try {
    return await caller.publications.view({ slug });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) return null;
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }) {
  const view = await loadSnapshot((await params).slug);
  return { title: view ? view.snapshot.title : 'Not found', robots: { index: false } };
}

/**
 * A published dashboard: public, read-only, no sign-in. Everything it shows comes from the frozen
 * snapshot, and its arrays from /p/<slug>/a/<id>, which serves only the snapshot's artifacts.
 * ?embed=1 drops the page chrome for an <iframe>. Unpublished or unknown: HTTP 404.
 */
export default async function PublishedPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ embed?: string }> }) {
  const { slug } = await params;
  const embed = (await searchParams).embed === '1';
  const view = await loadSnapshot(slug);
  if (!view) notFound();
  return <PublicDashboard slug={view.slug} snapshot={view.snapshot} embed={embed} />;
}
