// Types only (DESIGN.md: the browser never imports server code).
import type { DashboardMap } from '@/workers/contract';

/**
 * Choosing one map among many by its dimensions: analysis → feature → band → identity → response
 * → layer → pose. Each selector offers only the values that exist given the ones before it, and a
 * change keeps as many of the other choices as still exist.
 */

export interface MapChoice {
  analysis: string;
  feature: string;
  band: string;
  identity: string;
  response: string;
  layer: string;
  pose: number;
}

export const DIMENSIONS = ['analysis', 'feature', 'band', 'identity', 'response', 'layer', 'pose'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export function valueOf(m: DashboardMap, d: Dimension): string | number {
  switch (d) {
    case 'pose':
      return m.poseYawDeg;
    default:
      return m[d];
  }
}

/** The distinct values of a dimension among maps matching the choice on every earlier dimension. */
export function optionsFor(maps: DashboardMap[], choice: Partial<MapChoice>, d: Dimension): (string | number)[] {
  const before = DIMENSIONS.slice(0, DIMENSIONS.indexOf(d));
  const matching = maps.filter((m) => before.every((b) => choice[b] === undefined || valueOf(m, b) === choice[b]));
  const seen = new Map<string | number, number>();
  for (const m of matching) if (!seen.has(valueOf(m, d))) seen.set(valueOf(m, d), m.layerIndex);
  const values = [...seen.keys()];
  // Layers in depth order; poses by yaw; everything else in first-seen order.
  if (d === 'layer') values.sort((a, b) => seen.get(a)! - seen.get(b)!);
  if (d === 'pose') values.sort((a, b) => (a as number) - (b as number));
  return values;
}

/** The choice made valid: each dimension keeps its value when it still exists, else takes the first option. */
export function resolveChoice(maps: DashboardMap[], wanted: Partial<MapChoice>): { choice: MapChoice; map: DashboardMap | null } {
  const choice: Partial<MapChoice> = {};
  for (const d of DIMENSIONS) {
    const opts = optionsFor(maps, choice, d);
    const w = wanted[d];
    (choice as Record<string, unknown>)[d] = w !== undefined && opts.includes(w) ? w : opts[0];
  }
  const map = maps.find((m) => DIMENSIONS.every((d) => valueOf(m, d) === choice[d])) ?? null;
  return { choice: choice as MapChoice, map };
}

export function choiceOf(m: DashboardMap): MapChoice {
  return { analysis: m.analysis, feature: m.feature, band: m.band, identity: m.identity, response: m.response, layer: m.layer, pose: m.poseYawDeg };
}

const ANALYSIS_LABELS: Record<string, string> = {
  'reverse-correlation': 'Reverse correlation',
  'hidden-layers': 'Hidden layers',
  'pose-invariance': 'Pose invariance',
  attributions: 'Attributions',
};

export function analysisLabel(a: string): string {
  return ANALYSIS_LABELS[a] ?? a;
}

export interface PoseAvailability {
  /** The poses (yaw, degrees) offered for the current choice, in order. */
  poses: number[];
  /** Whether there is a pose to choose (two or more). */
  enabled: boolean;
  /** Why the selector is disabled, and where poses can be found; null when enabled. */
  reason: string | null;
}

/**
 * The pose selector is always shown; this says what it offers. When the chosen map has one pose,
 * the reason names the responses (of this analysis, else of other analyses) that hold several
 * poses, or says that the run has no per-pose maps at all.
 */
export function poseAvailability(maps: DashboardMap[], choice: MapChoice): PoseAvailability {
  const poses = optionsFor(maps, choice, 'pose') as number[];
  if (poses.length >= 2) return { poses, enabled: true, reason: null };
  const only = poses.length === 1 ? `This map is for one pose (${poses[0]}°)` : 'No map is chosen';
  // Groups of maps that differ only in pose: where are there several poses?
  const groups = new Map<string, Set<number>>();
  for (const m of maps) {
    const k = JSON.stringify([m.analysis, m.feature, m.band, m.identity, m.response, m.layer]);
    if (!groups.has(k)) groups.set(k, new Set());
    groups.get(k)!.add(m.poseYawDeg);
  }
  const where = new Map<string, number>();
  for (const [k, s] of groups) {
    if (s.size < 2) continue;
    const [analysis, , , , response] = JSON.parse(k) as string[];
    const label = analysis === choice.analysis ? `Response = "${response}"` : `${analysisLabel(analysis!)}, Response = "${response}"`;
    where.set(label, Math.max(where.get(label) ?? 0, s.size));
  }
  if (where.size === 0) return { poses, enabled: false, reason: `${only}; this run has no per-pose maps (the pose-invariance analysis was not run).` };
  const sameFirst = [...where].sort(([a], [b]) => Number(b.startsWith('Response')) - Number(a.startsWith('Response')));
  return { poses, enabled: false, reason: `${only}; poses exist for ${sameFirst.map(([l, n]) => `${l} (${n} poses)`).join(', ')}.` };
}
