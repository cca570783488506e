import { handleHumanUpload } from '@/server/uploads/humanUpload';

export const dynamic = 'force-dynamic';

/** Upload a human-trials CSV into a workspace (server/uploads/humanUpload.ts). */
export async function POST(req: Request): Promise<Response> {
  return handleHumanUpload(req);
}
