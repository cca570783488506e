import { serveHumanStimulus } from '@/server/humans/participant';

export const dynamic = 'force-dynamic';

/** The stimulus PNG of one of the participant's trials. */
export async function GET(req: Request, ctx: { params: Promise<{ token: string; trial: string }> }): Promise<Response> {
  const { token, trial } = await ctx.params;
  const n = Number(trial);
  if (!Number.isInteger(n) || n < 0) return new Response('Not found', { status: 404 });
  return serveHumanStimulus(req, token, n);
}
