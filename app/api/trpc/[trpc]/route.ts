import { handleTrpc } from '@/server/trpc/handler';

export const dynamic = 'force-dynamic';

export function GET(req: Request): Promise<Response> {
  return handleTrpc(req);
}

export function POST(req: Request): Promise<Response> {
  return handleTrpc(req);
}
