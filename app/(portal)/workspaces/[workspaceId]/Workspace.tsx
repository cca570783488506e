'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '../../../trpc';
import { Experiments } from './Experiments';
import { Members } from './Members';
import { DemoRunButton } from '../../../components/runs/DemoRunButton';
import { ActivityFeed } from '../../../components/dashboard/Activity';
import { ModelUpload } from '../../../components/runs/ModelUpload';
import { HumanUpload } from '../../../components/humans/HumanUpload';

export function Workspace({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const ws = useQuery(trpc.workspace.get.queryOptions({ workspaceId }));
  if (ws.isPending) return <p className="muted">Loading…</p>;
  if (ws.error) {
    return (
      <div className="card">
        <h1>Workspace not found</h1>
        <p>{errorInfo(ws.error).message} It may not exist, or you are not a member.</p>
        <Link href="/home">Back to your workspaces</Link>
      </div>
    );
  }
  const canEdit = ws.data.role !== 'viewer';
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/home">Workspaces</Link> / <span aria-current="page">{ws.data.name}</span>
      </nav>
      <div className="title-row">
        <h1>{ws.data.name}</h1>
        <span className={`badge badge-${ws.data.role}`} data-testid="my-role">
          {ws.data.role}
        </span>
      </div>
      {canEdit && <DemoRunButton workspaceId={workspaceId} />}
      <div className="columns columns-wide-left">
        <Experiments workspaceId={workspaceId} canEdit={canEdit} />
        <Members workspaceId={workspaceId} />
      </div>
      <ModelUpload workspaceId={workspaceId} canEdit={canEdit} />
      <HumanUpload workspaceId={workspaceId} canEdit={canEdit} />
      <ActivityFeed workspaceId={workspaceId} />
    </div>
  );
}
