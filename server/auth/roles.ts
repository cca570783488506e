import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, type WorkspaceRole } from '../db/schema';

export type { WorkspaceRole };
export const ROLES = ['viewer', 'editor', 'owner'] as const satisfies readonly WorkspaceRole[];

const RANK: Record<WorkspaceRole, number> = { viewer: 1, editor: 2, owner: 3 };

/** Whether `role` grants at least `needed` (viewer < editor < owner). */
export function roleAtLeast(role: WorkspaceRole, needed: WorkspaceRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** The user's role in a workspace, or null when not a member (or the workspace does not exist). */
export async function roleIn(db: Db, userId: string, workspaceId: string): Promise<WorkspaceRole | null> {
  const rows = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)))
    .limit(1);
  return rows[0]?.role ?? null;
}
