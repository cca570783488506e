import { experimentPreset, planRun } from '../../workers/contract';
import type { Db } from '../../server/db/client';
import { publications, runs } from '../../server/db/schema';
import type { TestUser } from '../server/callers';

/**
 * Objects of issue 8 in a victim workspace for the authorization walk: a run, a comment pinned on
 * it and a publication (inserted directly: a run without results cannot be published through tRPC).
 */
export async function seedDashboardVictim(db: Db, owner: TestUser, workspaceId: string, experimentId: string): Promise<{ runId: string; commentId: string; publicationId: string }> {
  const config = { ...experimentPreset('tiny'), name: 'Secret run' };
  const [run] = await db.insert(runs).values({ workspaceId, experimentId, config, plan: planRun(config), createdBy: owner.id }).returning({ id: runs.id });
  // No pin: a run without results has no map to pin on (comments.addToRun checks the pin against the dashboard).
  const comment = await owner.caller.comments.addToRun({ runId: run!.id, body: 'Secret note' });
  const [pub] = await db
    .insert(publications)
    .values({ slug: 'secretslug2345', workspaceId, runId: run!.id, title: 'Secret publication', snapshot: {} as never, artifactIds: [], createdBy: owner.id })
    .returning({ id: publications.id });
  return { runId: run!.id, commentId: comment.id, publicationId: pub!.id };
}
