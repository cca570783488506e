import { cache } from 'react';
import { notFound } from 'next/navigation';
import { getDb } from '@/server/db/client';
import { livePublication } from '@/server/dashboards/public';
import { PublicDashboard } from './PublicDashboard';

/**
 * A snapshot never changes once published, so its page is rendered once, on the first request,
 * and then served from Next's page cache (incremental static regeneration with no time limit).
 * Unpublishing drops the cached page (forgetPublishedPage, server/dashboards/published-page.ts), and
 * from then on the request guard sends the slug to withdrawn/page.tsx, which answers 410 (a page
 * cannot choose that status: see server/dashboards/withdrawn-slugs.ts); this page never sees a
 * withdrawn slug there, and answers a slug never published 404. Nothing here may depend on the request: no
 * cookies, no headers, no search parameters (?embed=1 is read in the browser, see useEmbed).
 */
export const revalidate = false;
export const dynamicParams = true;
export async function generateStaticParams(): Promise<{ slug: string }[]> {
  return [];
}

/** The live snapshot of a slug, or null once unpublished (one query per render, shared with the metadata). */
const loadSnapshot = cache(async (slug: string) => {
  const row = await livePublication(getDb(), slug);
  return row ? { slug: row.slug, snapshot: row.snapshot } : null;
});

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }) {
  const view = await loadSnapshot((await params).slug);
  return { title: view ? view.snapshot.title : 'Not found', robots: { index: false } };
}

/**
 * A published dashboard: public, read-only, no sign-in. Everything it shows comes from the frozen
 * snapshot, and its arrays from /p/<slug>/a/<id>, which serves only the snapshot's artifacts.
 * ?embed=1 drops the page chrome for an <iframe>. Unknown: HTTP 404 (withdrawn: 410, see above).
 */
export default async function PublishedPage({ params }: { params: Promise<{ slug: string }> }) {
  const view = await loadSnapshot((await params).slug);
  if (!view) notFound();
  return <PublicDashboard slug={view.slug} snapshot={view.snapshot} />;
}
