import { servePublishedArtifact } from '@/server/dashboards/public';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ slug: string; id: string }> };

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const { slug, id } = await ctx.params;
  return servePublishedArtifact(req, slug, id);
}

export async function HEAD(req: Request, ctx: Ctx): Promise<Response> {
  const { slug, id } = await ctx.params;
  return servePublishedArtifact(req, slug, id);
}
