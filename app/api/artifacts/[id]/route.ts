import { serveArtifact } from '@/server/dashboards/artifacts';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  return serveArtifact(req, (await ctx.params).id);
}

export async function HEAD(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  return serveArtifact(req, (await ctx.params).id);
}
