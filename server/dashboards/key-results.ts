/**
 * A run's key results for the runs table, read off its dashboard manifest (no extra storage):
 * - valAccuracy: the last epoch's validation accuracy (fraction, 0–1) of the training curve;
 * - peakBits: the largest per-vertex mutual information (bits) over all of the run's maps;
 * - per feature (shape, texture):
 *   - peakBits: the same over the feature's maps only;
 *   - maps: how many maps of the feature the run has;
 *   - generalisation: the network's mean P(original identity) over the anti-caricature levels
 *     (amplification < 1) of the "shape changed" / "texture changed" curve — the quantity whose
 *     shape − texture difference is the generalisation asymmetry (paper: high for shape, low for texture).
 * A quantity the run does not have is null.
 */
import type { DashboardManifest } from '../../workers/contract';

export interface FeatureResults {
  peakBits: number | null;
  maps: number;
  generalisation: number | null;
}

export interface KeyResults {
  valAccuracy: number | null;
  peakBits: number | null;
  shape: FeatureResults;
  texture: FeatureResults;
}

const maxOrNull = (xs: number[]) => (xs.length ? Math.max(...xs) : null);

/** Mean P(original) of the network's series for a feature over levels < 1 (anti-caricature). */
function antiCaricatureProbability(m: DashboardManifest, feature: 'shape' | 'texture'): number | null {
  const curve = m.curves.find((c) => c.key === 'gen/scale');
  const s = curve?.series.find((x) => x.source === 'network' && x.name === `network: ${feature} changed`);
  if (!s) return null;
  const ys = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([x, y]) => x < 1 && Number.isFinite(y)).map(([, y]) => y);
  return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : null;
}

export function keyResultsOf(m: DashboardManifest): KeyResults {
  const acc = m.curves.find((c) => c.key === 'training/accuracy')?.series.find((s) => s.name === 'validation');
  const feature = (f: 'shape' | 'texture'): FeatureResults => {
    const maps = m.maps.filter((x) => x.feature === f);
    return { peakBits: maxOrNull(maps.map((x) => x.maxBits)), maps: maps.length, generalisation: antiCaricatureProbability(m, f) };
  };
  return {
    valAccuracy: acc?.y.length ? acc.y[acc.y.length - 1]! : null,
    peakBits: maxOrNull(m.maps.map((x) => x.maxBits)),
    shape: feature('shape'),
    texture: feature('texture'),
  };
}
