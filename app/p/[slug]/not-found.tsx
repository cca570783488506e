import Link from 'next/link';

/** A link that never pointed at a snapshot (a withdrawn one gets its own page, with 410: withdrawn/page.tsx). */
export default function PublicationNotFound() {
  return (
    <main id="main" className="stack" style={{ maxWidth: '40rem', margin: '4rem auto', padding: '0 1.5rem' }}>
      <h1>This dashboard is not available</h1>
      <p data-testid="not-found-notice">There is no published dashboard at this address. Check that the link is complete and typed correctly.</p>
      <p>
        <Link href="/">About Deeper</Link>
      </p>
    </main>
  );
}
