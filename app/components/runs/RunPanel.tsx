'use client';

import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '@/app/trpc';
import { RunProgress, formatEta } from './RunProgress';
import { RunsTable, type RunRow } from './RunsTable';
import { ExperimentComments } from '../dashboard/Activity';

const LIVE = ['queued', 'running'];

/** Live progress of one run, polled every 1.5 s while it runs. */
function LiveRun({ runId, canEdit }: { runId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const run = useQuery({ ...trpc.dashboards.progress.queryOptions({ runId }), refetchInterval: (q) => (q.state.data && !LIVE.includes(q.state.data.status) ? false : 1500) });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.dashboards.progress.queryKey({ runId }) }) }));
  if (!run.data) return null;
  return (
    <div className="stack-tight">
      <RunProgress run={run.data} />
      <div className="button-row">
        {LIVE.includes(run.data.status) && canEdit && (
          <button type="button" className="button button-quiet" onClick={() => cancel.mutate({ runId })} disabled={cancel.isPending}>
            Cancel run
          </button>
        )}
        <Link className="button" href={`/runs/${runId}`} data-testid="open-dashboard">
          {run.data.status === 'succeeded' ? 'Open the results' : 'Open the run'}
        </Link>
      </div>
    </div>
  );
}

/**
 * The experiment page's run panel: the cost estimate of the saved configuration, launch, the
 * latest run's live progress with cancel, and the run history. To re-run with changes, edit and
 * save the configuration above, then launch again: each run keeps the configuration it started with.
 */
export function RunPanel({ experimentId, workspaceId, config, canEdit }: { experimentId: string; workspaceId: string; config: Record<string, unknown>; canEdit: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // The estimate of the configuration being edited (the experiment page passes its live draft).
  const estimate = useQuery({ ...trpc.runs.estimate.queryOptions({ workspaceId, config }), placeholderData: (prev) => prev });
  const history = useQuery({ ...trpc.runs.list.queryOptions({ workspaceId, experimentId }), refetchInterval: 5000 });
  const launch = useMutation(
    trpc.runs.launch.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.runs.list.queryKey({ workspaceId, experimentId }) }),
    }),
  );
  const latest = history.data?.items[0];
  return (
    <section className="card stack-tight" aria-labelledby="runs-heading" data-testid="run-panel">
      <h2 id="runs-heading">Runs</h2>
      {estimate.data && (
        <p className="small" data-testid="estimate">
          Estimate on this machine: about <strong>{formatEta(estimate.data.totalSeconds)}</strong>, peak memory {Math.round(estimate.data.peakMemoryMiB)} MiB (
          {estimate.data.byStage.map((s) => `${s.stage} ${formatEta(s.seconds)}`).join(', ')}).
        </p>
      )}
      {estimate.error && <p className="alert alert-error">{errorInfo(estimate.error).message}</p>}
      {canEdit && (
        <div className="button-row">
          <button
            type="button"
            className="button"
            onClick={async () => {
              // Above the server's threshold the launch is confirmed first (the server insists on confirm: true).
              const e = estimate.data;
              if (e?.needsConfirmation && !window.confirm(`This run is estimated at ${formatEta(e.totalSeconds)}, longer than ${formatEta(e.confirmAboveSeconds)}. Launch it?`)) return;
              try {
                await launch.mutateAsync({ experimentId, confirm: Boolean(e?.needsConfirmation) });
              } catch (err) {
                // The estimate shown can lag the configuration just saved: the server's estimate decides.
                const message = errorInfo(err).message;
                if (!e?.needsConfirmation && message.startsWith('confirm: ') && window.confirm(`${message.slice('confirm: '.length).replace(/; launch with confirm: true$/, '')}. Launch it?`))
                  launch.mutate({ experimentId, confirm: true });
              }
            }}
            disabled={launch.isPending}
            data-testid="launch-run"
          >
            Launch a run
          </button>
        </div>
      )}
      {launch.error && <p className="alert alert-error">{errorInfo(launch.error).message}</p>}
      {latest && <LiveRun key={latest.id} runId={latest.id} canEdit={canEdit} />}
      {history.data && history.data.items.length > 0 && <RunsTable runs={history.data.items as RunRow[]} />}
      {history.data?.items.length === 0 && <p className="muted">No runs yet.</p>}
      <ExperimentComments experimentId={experimentId} canEdit={canEdit} />
    </section>
  );
}
