import { Experiment } from './Experiment';

export const metadata = { title: 'Experiment' };

export default async function ExperimentPage({ params }: { params: Promise<{ experimentId: string }> }) {
  const { experimentId } = await params;
  return <Experiment experimentId={experimentId} />;
}
