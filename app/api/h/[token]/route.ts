import { handleHumanGet, handleHumanPost } from '@/server/humans/participant';

export const dynamic = 'force-dynamic';

/** The anonymous participant API of a human session (server/humans/participant.ts). */
export async function GET(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  return handleHumanGet(req, (await ctx.params).token);
}

export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  return handleHumanPost(req, (await ctx.params).token);
}
