/**
 * Progress reports of the long analyses (DESIGN.md: every long operation reports fraction, stage
 * and ETA). A Stages tracker splits the whole job into weighted stages so that the fraction moves
 * smoothly across stages of different cost, and estimates the remaining time from the elapsed
 * time and the fraction done.
 */

export interface Progress {
  /** Fraction of the whole job done, in [0, 1]. */
  fraction: number;
  /** Human-readable name of the current stage, e.g. 'render trials', 'permutations'. */
  stage: string;
  /** Estimated seconds left for the whole job; null until there is enough to estimate. */
  etaSeconds: number | null;
}

export type OnProgress = (p: Progress) => void;

export const noProgress: OnProgress = () => {};

/** A job made of named stages with relative weights (e.g. their expected cost in seconds). */
export class Stages {
  private readonly start = Date.now();
  private readonly weights: number[];
  private readonly names: string[];
  private readonly total: number;
  private current = 0;
  private lastReport = 0;

  constructor(stages: Record<string, number>, private readonly onProgress: OnProgress = noProgress) {
    this.names = Object.keys(stages);
    this.weights = Object.values(stages);
    this.total = this.weights.reduce((a, b) => a + b, 0) || 1;
  }

  /** Reports that `stage` is `within` (0..1) done. Throttled to one report per 100 ms except at stage ends. */
  report(stage: string, within: number): void {
    const i = this.names.indexOf(stage);
    if (i < 0) throw new Error(`progress: unknown stage '${stage}' (known: ${this.names.join(', ')})`);
    this.current = i;
    const now = Date.now();
    if (within < 1 && within > 0 && now - this.lastReport < 100) return;
    this.lastReport = now;
    let done = 0;
    for (let k = 0; k < i; k++) done += this.weights[k];
    done += this.weights[i] * Math.min(1, Math.max(0, within));
    const fraction = done / this.total;
    const elapsed = (now - this.start) / 1000;
    const etaSeconds = fraction > 0.01 ? (elapsed * (1 - fraction)) / fraction : null;
    this.onProgress({ fraction, stage, etaSeconds });
  }

  /** A callback for a sub-task that reports its own 0..1 fraction within `stage`. */
  sub(stage: string): (within: number) => void {
    return (within) => this.report(stage, within);
  }
}
