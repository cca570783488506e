import { handleModelUpload } from '@/server/uploads/model-upload';

export const dynamic = 'force-dynamic';

/** Upload a TensorFlow.js LayersModel into a workspace (server/uploads/model-upload.ts). */
export async function POST(req: Request): Promise<Response> {
  return handleModelUpload(req);
}
