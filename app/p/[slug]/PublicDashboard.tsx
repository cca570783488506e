'use client';

import { useSyncExternalStore } from 'react';
import type { DashboardSnapshot } from '@/workers/contract';
import { DashboardView } from '@/app/components/dashboard/DashboardView';

// Start loading the 3D viewer's code (three.js) with the page, not when the map panel first renders.
if (typeof window !== 'undefined') void import('@/app/components/viewer/FaceViewer');

/**
 * ?embed=1, read in the browser: the page's HTML is rendered once per snapshot and cached, so it
 * cannot depend on the query string. The server (and hydration) render the full page; an embed
 * re-renders without the chrome straight after hydration.
 */
function useEmbed(): boolean {
  return useSyncExternalStore(
    () => () => {},
    () => new URLSearchParams(window.location.search).get('embed') === '1',
    () => false,
  );
}

export function PublicDashboard({ slug, snapshot }: { slug: string; snapshot: DashboardSnapshot }) {
  const embed = useEmbed();
  const urlOf = (id: string) => `/p/${slug}/a/${id}`;
  return (
    <main id="main" className={embed ? 'embed-main' : 'public-main'} data-testid="public-dashboard">
      {!embed && (
        <p className="public-banner">
          A published snapshot from <a href="/">Deeper</a>, frozen on {new Date(snapshot.publishedAt).toLocaleDateString('en-GB', { year: 'numeric', month: 'long', day: 'numeric' })}. Read-only.
        </p>
      )}
      <h1>{snapshot.title}</h1>
      <DashboardView manifest={snapshot} urlOf={urlOf} pins={snapshot.pins} />
      {!embed && snapshot.pins.length > 0 && (
        <section className="dash-section" aria-labelledby="notes-h">
          <h2 id="notes-h">Notes</h2>
          <ol className="comment-list">
            {snapshot.pins.map((p) => (
              <li key={p.id}>
                <div className="comment-meta">
                  {p.author} · {new Date(p.createdAt).toLocaleDateString('en-GB')} · vertex {p.vertex}
                </div>
                <div>{p.body}</div>
              </li>
            ))}
          </ol>
        </section>
      )}
    </main>
  );
}
