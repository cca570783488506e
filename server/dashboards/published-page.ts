import { revalidatePath } from 'next/cache';
import { log } from '../log';
import { forgetCachedPage } from './published-page-cache';

/**
 * Drops the cached page of /p/<slug> (app/p/[slug]/page.tsx renders each snapshot once and keeps
 * it, and scripts/start.mjs keeps Next's answer in memory), so that the next request goes to Next again: after unpublishing, the request guard (proxy.ts) answers it 410 with the withdrawn page.
 * Outside a Next.js server (tests, scripts) there is no page cache and nothing to drop.
 * One server process holds the cache; with several replicas behind a balancer each keeps its own
 * (see README, "Published snapshots").
 */
export function forgetPublishedPage(slug: string): void {
  forgetCachedPage(slug); // the copy scripts/start.mjs serves from memory (published-page-cache.ts)
  try {
    revalidatePath(`/p/${slug}`);
  } catch (err) {
    if (process.env.NEXT_RUNTIME) log.warn({ slug, error: String(err) }, 'published page not revalidated');
  }
}
