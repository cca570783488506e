import { RunDashboard } from './RunDashboard';

export const metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return <RunDashboard runId={runId} />;
}
