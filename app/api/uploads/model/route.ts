import { handleModelUpload } from '@/server/uploads/modelUpload';

export const dynamic = 'force-dynamic';

/** Upload a TensorFlow.js LayersModel into a workspace (server/uploads/modelUpload.ts). */
export async function POST(req: Request): Promise<Response> {
  return handleModelUpload(req);
}
