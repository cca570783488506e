import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getDb } from '@/server/db/client';
import { withdrawnAt } from '@/server/dashboards/public';

/**
 * The page of a withdrawn snapshot. The request guard (proxy.ts) rewrites /p/<slug> of a withdrawn
 * snapshot here with HTTP status 410, which this render keeps (an App Router page cannot choose
 * 410 itself; see server/dashboards/withdrawn-slugs.ts). Rendered per request: only withdrawn
 * links come here, and it checks the database itself, so a slug that is live or was never
 * published answers 404.
 */
export const dynamic = 'force-dynamic';
export const metadata = { title: 'Withdrawn', robots: { index: false } };

/** "1 December 2026": the day in UTC, so that every reader sees the same date. */
const DAY = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

export default async function WithdrawnPage({ params }: { params: Promise<{ slug: string }> }) {
  const at = await withdrawnAt(getDb(), (await params).slug);
  if (!at) notFound();
  return (
    <main id="main" className="stack" style={{ maxWidth: '40rem', margin: '4rem auto', padding: '0 1.5rem' }}>
      <h1>This dashboard is no longer published</h1>
      <p data-testid="withdrawn-notice">
        This snapshot was withdrawn by its authors on <time dateTime={at.toISOString()}>{DAY.format(at)}</time>. Published snapshots are read-only copies of a
        team&rsquo;s results, and the team can take them down at any time; this link will not work again.
      </p>
      <p>
        <Link href="/">About Deeper</Link>
      </p>
    </main>
  );
}
