'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '@/app/trpc';
import type { DashboardPin } from '@/workers/contract';
import { DashboardView } from '@/app/components/dashboard/DashboardView';
import { PinForm, RunComments } from '@/app/components/dashboard/Comments';
import { PublishPanel } from '@/app/components/dashboard/Publish';
import { HumanSessionsPanel } from '@/app/components/humans/HumanSessions';
import { RunProgress } from '@/app/components/runs/RunProgress';
import type { MapSource, VertexPick } from '@/app/components/viewer/MapPanel';

// Start loading the 3D viewer's code (three.js) with the page, not when the map panel first renders.
if (typeof window !== 'undefined') void import('@/app/components/viewer/FaceViewer');

const artifactUrl = (id: string) => `/api/artifacts/${id}`;

/** A run: live progress while it runs, then its results dashboard, comments and publishing. */
export function RunDashboard({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const progress = useQuery({
    ...trpc.dashboards.progress.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data && !['queued', 'running'].includes(q.state.data.status) ? false : 1500),
  });
  const status = progress.data?.status;
  const qc = useQueryClient();
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.dashboards.progress.queryKey({ runId }) }) }));
  // Fetched at once, in parallel with the progress (no waterfall), and again when the run finishes.
  const dash = useQuery(trpc.dashboards.get.queryOptions({ runId }));
  const refetchDash = dash.refetch;
  const lastStatus = useRef(status);
  useEffect(() => {
    // Only a run that finished while open needs the manifest again.
    if (status === 'succeeded' && lastStatus.current && lastStatus.current !== 'succeeded') void refetchDash();
    lastStatus.current = status;
  }, [status, refetchDash]);
  const comments = useQuery(trpc.comments.forRun.queryOptions({ runId }));
  const me = useQuery(trpc.auth.me.queryOptions());
  const [pick, setPick] = useState<VertexPick | null>(null);
  // Side by side with another finished run of the workspace, on a shared colour scale.
  // ?compare=<runId> (from the experiment's runs table) opens with that run beside this one.
  const [otherRunId, setOtherRunId] = useState('');
  useEffect(() => {
    const c = new URLSearchParams(window.location.search).get('compare');
    if (c) setOtherRunId(c);
  }, []);
  const workspaceId = dash.data?.workspaceId ?? '';
  const finished = useQuery({ ...trpc.runs.list.queryOptions({ workspaceId, status: 'succeeded' }), enabled: !!workspaceId });
  const other = useQuery({ ...trpc.dashboards.get.queryOptions({ runId: otherRunId || runId }), enabled: !!otherRunId });
  const compareSources: MapSource[] =
    otherRunId && other.data
      ? [{ id: otherRunId, label: `${other.data.manifest.run.name} (${formatDate(other.data.manifest.run.createdAt)})`, maps: other.data.manifest.maps, meshes: other.data.manifest.meshes, urlOf: artifactUrl }]
      : [];
  const compareCurves = otherRunId && other.data ? { label: `compared (${formatDate(other.data.manifest.run.createdAt)})`, curves: other.data.manifest.curves } : undefined;
  const others = (finished.data?.items ?? []).filter((r) => r.id !== runId);

  if (progress.error) {
    return (
      <div className="card">
        <h1>Run not found</h1>
        <p>{errorInfo(progress.error).message} It may not exist, or you are not a member of its workspace.</p>
        <Link href="/home">Back to your workspaces</Link>
      </div>
    );
  }
  if (!progress.data) return <p className="muted">Loading…</p>;
  const run = progress.data;
  const canEdit = dash.data ? dash.data.role !== 'viewer' : false;
  const pins: DashboardPin[] = (comments.data ?? [])
    .filter((c) => c.vertex !== null)
    .map((c) => ({ id: c.id, mapKey: c.mapKey, vertex: c.vertex!, position: c.position ?? [0, 0, 0], body: c.body, author: c.author, createdAt: String(c.createdAt) }));
  const userId = (me.data as { id?: string } | null | undefined)?.id;

  return (
    <div className="stack">
      <div className="dash-header">
        <div>
          <p className="small muted">
            {run.experimentId ? <Link href={`/experiments/${run.experimentId}`}>Experiment</Link> : 'Run'} · started {formatDate(run.createdAt)}
            {run.finishedAt ? ` · finished ${formatDate(run.finishedAt)}` : ''}
          </p>
          <h1>{run.name}</h1>
        </div>
      </div>

      {status !== 'succeeded' && (
        <section className="dash-section" aria-label="Progress">
          <h2>Progress</h2>
          <RunProgress run={run} />
          {canEdit && (status === 'queued' || status === 'running') && (
            <div className="button-row">
              <button type="button" className="button button-quiet" onClick={() => cancel.mutate({ runId })} disabled={cancel.isPending} data-testid="cancel-run">
                {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
              </button>
            </div>
          )}
          {cancel.error && <p className="alert alert-error">{errorInfo(cancel.error).message}</p>}
        </section>
      )}

      {dash.error && <p className="alert alert-error">{errorInfo(dash.error).message}</p>}
      {dash.data && status === 'succeeded' && (
        <>
          {dash.data.problems.length > 0 && (
            <details className="notice">
              <summary>{dash.data.problems.length} result(s) could not be shown</summary>
              <ul>
                {dash.data.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </details>
          )}
          <DashboardView
            manifest={dash.data.manifest}
            urlOf={artifactUrl}
            compareCurves={compareCurves}
            pins={pins}
            onPick={canEdit ? setPick : undefined}
            pickedVertex={pick?.vertex ?? null}
            compareSources={compareSources}
            mapAside={
              <>
                {others.length > 0 && (
                  <label className="control" htmlFor="compare-run">
                    <span>Compare with another run (tick “Side by side”)</span>
                    <select id="compare-run" value={otherRunId} onChange={(e) => setOtherRunId(e.target.value)}>
                      <option value="">none</option>
                      {others.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name} · {formatDate(r.createdAt)}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                {pick ? <PinForm runId={runId} pick={pick} onDone={() => setPick(null)} /> : null}
              </>
            }
          />
          <section className="dash-section" aria-labelledby="humans-h">
            <h2 id="humans-h">Human observers</h2>
            <HumanSessionsPanel runId={runId} canEdit={canEdit} network={{ id: runId, label: 'Network', maps: dash.data.manifest.maps, meshes: dash.data.manifest.meshes, urlOf: artifactUrl }} />
          </section>
          <section className="dash-section" aria-labelledby="comments-h">
            <h2 id="comments-h">Comments</h2>
            <RunComments runId={runId} canEdit={canEdit} userId={userId} />
          </section>
          <section className="dash-section" aria-labelledby="publish-h">
            <h2 id="publish-h">Publish</h2>
            <PublishPanel runId={runId} canEdit={canEdit} defaultTitle={dash.data.manifest.run.name} />
          </section>
        </>
      )}
    </div>
  );
}
