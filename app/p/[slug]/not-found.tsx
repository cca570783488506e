import Link from 'next/link';

/** A published link that no longer (or never) pointed at a snapshot. */
export default function PublicationNotFound() {
  return (
    <main id="main" className="stack" style={{ maxWidth: '40rem', margin: '4rem auto', padding: '0 1.5rem' }}>
      <h1>This dashboard is not available</h1>
      <p data-testid="withdrawn-notice">Its authors may have withdrawn (unpublished) it, or the link is mistyped. Published snapshots are read-only copies that the team can take down at any time.</p>
      <p>
        <Link href="/">About Deeper</Link>
      </p>
    </main>
  );
}
