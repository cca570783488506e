import { headers } from 'next/headers';
import { createCaller } from '@/server/trpc/router';
import { createContextInner } from '@/server/trpc/context';
import { Home, type HomeInitial } from './Home';

export const metadata = { title: 'Home' };
export const dynamic = 'force-dynamic';

/**
 * The home page's data, read on the server in parallel with rendering (no client waterfall of
 * JavaScript, then three queries): the page arrives with its content. Signed out or expired: the
 * client's own queries take over (and send the visitor to sign-in).
 */
async function loadHome(): Promise<HomeInitial | undefined> {
  try {
    const h = await headers();
    const caller = createCaller(await createContextInner({ headers: new Headers(h) }));
    const [workspaces, recent, invitations] = await Promise.all([caller.workspace.list(), caller.experiment.recent({ limit: 8 }), caller.member.invitations()]);
    // As the browser would receive them over tRPC (dates as ISO strings).
    return JSON.parse(JSON.stringify({ workspaces, recent, invitations })) as HomeInitial;
  } catch {
    return undefined;
  }
}

export default async function HomePage() {
  return <Home initial={await loadHome()} />;
}
