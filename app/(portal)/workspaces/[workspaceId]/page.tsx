import { Workspace } from './Workspace';

export const metadata = { title: 'Workspace' };

export default async function WorkspacePage({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  return <Workspace workspaceId={workspaceId} />;
}
