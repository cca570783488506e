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
};

export function analysisLabel(a: string): string {
  return ANALYSIS_LABELS[a] ?? a;
}
