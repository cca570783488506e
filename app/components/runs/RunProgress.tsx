'use client';

import '../dashboard/dashboard.css';

export interface RunProgressData {
  status: string;
  stage: string | null;
  fraction: number;
  etaSeconds: number | null;
  error: string | null;
  steps: { id: string; stage: string; status: string; fraction: number; attempts: number; error: string | null }[];
  logs: { id: number; level: string; message: string; at: Date | string; stepId: string | null }[];
}

/** "4 min 05 s" / "12 s". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

const STATUS_TEXT: Record<string, string> = { queued: 'Queued', running: 'Running', succeeded: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/** A run's live progress: overall bar and ETA, a bar per step, the error, the tail of the log. */
export function RunProgress({ run }: { run: RunProgressData }) {
  const pct = Math.round(run.fraction * 100);
  const live = run.status === 'queued' || run.status === 'running';
  return (
    <div className="run-progress" data-testid="run-progress" data-status={run.status}>
      <p>
        <strong data-testid="run-status">{STATUS_TEXT[run.status] ?? run.status}</strong>
        {live && run.stage ? ` · ${run.stage}` : ''} · {pct}%{live && run.etaSeconds !== null ? ` · about ${formatEta(run.etaSeconds)} left` : ''}
      </p>
      <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Overall progress">
        <span style={{ width: `${pct}%` }} />
      </div>
      <ul className="stage-list">
        {run.steps.map((s) => (
          <li key={s.id}>
            <span>{s.id}</span>
            <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(s.fraction * 100)} aria-label={s.id}>
              <span style={{ width: `${Math.round((s.status === 'completed' ? 1 : s.fraction) * 100)}%` }} />
            </div>
            <span className="small muted">
              {s.status}
              {s.attempts > 1 ? ` (try ${s.attempts})` : ''}
            </span>
          </li>
        ))}
      </ul>
      {run.error && (
        <p className="alert alert-error" role="alert">
          {run.error}
        </p>
      )}
      {run.logs.length > 0 && (
        <details open={live}>
          <summary>Log</summary>
          <pre className="log-tail" aria-live="polite">
            {run.logs.map((l) => `${new Date(l.at).toLocaleTimeString('en-GB')} ${l.stepId ?? ''} ${l.message}`).join('\n')}
          </pre>
        </details>
      )}
    </div>
  );
}
