'use client';

import '../dashboard/dashboard.css';
import { LineChart } from '../charts/LineChart';

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

/** One training epoch as the train step logs it ("epoch {json}"). */
export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

/** The epoch record in a log line, or null. */
export function epochOf(message: string): EpochPoint | null {
  if (!message.startsWith('epoch {')) return null;
  try {
    const e = JSON.parse(message.slice(6)) as Partial<EpochPoint>;
    if (typeof e.epoch !== 'number' || typeof e.trainLoss !== 'number' || typeof e.trainAccuracy !== 'number') return null;
    return { epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, valLoss: e.valLoss ?? null, valAccuracy: e.valAccuracy ?? null };
  } catch {
    return null;
  }
}

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(3));

/** A log line for people: epochs as numbers with names, JSON objects as their message and fields. */
export function readableLog(message: string): string {
  const e = epochOf(message);
  if (e) return `epoch ${e.epoch}: loss ${f3(e.trainLoss)}, accuracy ${f3(e.trainAccuracy)}${e.valLoss !== null ? `; validation loss ${f3(e.valLoss)}, accuracy ${f3(e.valAccuracy)}` : ''}`;
  const t = message.trim();
  if (t.startsWith('{') && t.endsWith('}')) {
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      const text = String(o.msg ?? o.message ?? '');
      const rest = Object.entries(o)
        .filter(([k]) => !['msg', 'message', 'level', 'time', 'pid', 'hostname', 'v'].includes(k))
        .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
      return [text, ...rest].filter(Boolean).join(' · ');
    } catch {
      return message;
    }
  }
  return message;
}

/** Loss and accuracy by epoch, drawn as each epoch ends (from the run's log). */
export function LiveCurves({ points }: { points: EpochPoint[] }) {
  if (points.length === 0) return null;
  const x = points.map((p) => p.epoch);
  const val = points.filter((p) => p.valLoss !== null);
  return (
    <div className="chart-row" data-testid="live-curves" data-points={points.length}>
      <LineChart
        title="Loss by epoch"
        xLabel="epoch"
        yLabel="cross-entropy loss (nats)"
        series={[{ name: 'training', x, y: points.map((p) => p.trainLoss) }, ...(val.length ? [{ name: 'validation', x: val.map((p) => p.epoch), y: val.map((p) => p.valLoss!) }] : [])]}
        width={380}
        height={240}
      />
      <LineChart
        title="Accuracy by epoch"
        xLabel="epoch"
        yLabel="accuracy (fraction correct)"
        yDomain={[0, 1]}
        series={[{ name: 'training', x, y: points.map((p) => p.trainAccuracy) }, ...(val.length ? [{ name: 'validation', x: val.map((p) => p.epoch), y: val.map((p) => p.valAccuracy ?? NaN) }] : [])]}
        width={380}
        height={240}
      />
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = { queued: 'Queued', running: 'Running', succeeded: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/** A run's live progress: overall bar and ETA, a bar per step, the error, the tail of the log. */
export function RunProgress({ run }: { run: RunProgressData }) {
  const pct = Math.round(run.fraction * 100);
  const live = run.status === 'queued' || run.status === 'running';
  const epochs = run.logs.map((l) => epochOf(l.message)).filter((e): e is EpochPoint => e !== null);
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
              {s.status === 'running' ? ` ${Math.round(s.fraction * 100)}%` : ''}
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
      <LiveCurves points={epochs} />
      {run.logs.length > 0 && (
        <details open={live}>
          <summary>Log</summary>
          <pre className="log-tail" aria-live="polite">
            {run.logs.map((l) => `${new Date(l.at).toLocaleTimeString('en-GB')} ${l.level === 'info' ? '' : `${l.level.toUpperCase()} `}${l.stepId ? `[${l.stepId}] ` : ''}${readableLog(l.message)}`).join('\n')}
          </pre>
        </details>
      )}
    </div>
  );
}
