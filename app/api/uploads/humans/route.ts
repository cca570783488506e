import { handleHumanUpload } from '@/server/uploads/human-upload';

export const dynamic = 'force-dynamic';

/** Upload a human-trials CSV into a workspace (server/uploads/human-upload.ts). */
export async function POST(req: Request): Promise<Response> {
  return handleHumanUpload(req);
}
