/**
 * Issue 15: the attribution maps of a reverse-correlation run, written into its result bundle.
 * On the first `trials` stimuli of the run (the same noise draw, identity and view), the three
 * image-space attributions of the target logit (attributions.ts: gradient × input, integrated
 * gradients, occlusion) are carried onto the mesh (attribution-mesh.ts) and compared, by magnitude,
 * with the run's logit information maps of shape and texture (map-agreement.ts: Pearson, Spearman,
 * Dice of the top 5 %). Units: logit units (gradient in logit per unit input intensity × input
 * intensity, summed over RGB; occlusion: the logit's drop). Layouts: per-vertex arrays float32 [V].
 *
 * The one place both the battery (battery.ts runBattery) and the pipeline's reverse-correlation step
 * (workers/functions/analyses.ts) compute them, with the options of attributionOptions.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import type { MeshAttributionsSummary } from '../contract';
import type { BundleWriter } from './bundle';
import type { Network } from './network';
import type { ReverseCorrelationResult } from './reverse-correlation';
import { ATTRIBUTION_METHODS, meshAttributions, type AttributionMethod, type MeshAttributionOptions } from './attribution-mesh';
import { mapAgreement } from './map-agreement';

/** The battery's attribution settings (contract/experiment.ts AttributionsConfig). */
export interface AttributionsConfig {
  enabled: boolean;
  /** Stimuli per identity: the first min(trials, reverse-correlation trials). */
  trials: number;
  integratedSteps: number;
  /** Occlusion patch side and stride (pixels). */
  occlusionPatch: number;
  occlusionStride: number;
}

/** Share of the compared vertices in each map's top set (Dice). */
export const AGREEMENT_TOP_FRACTION = 0.05;

export const ATTRIBUTION_UNIT = 'logit units (gradient: logit per unit input intensity, × input intensity, summed over RGB)';

const LABELS: Record<AttributionMethod, (o: MeshAttributionOptions) => string> = {
  'gradient-x-input': () => 'Gradient × input (Simonyan et al. 2014; Shrikumar et al. 2017): x · ∂logit/∂x',
  'integrated-gradients': (o) => `Integrated gradients (Sundararajan et al. 2017): ${o.igSteps} intervals, ${o.igRule} rule, ${o.baseline} baseline`,
  occlusion: (o) => `Occlusion (Zeiler & Fergus 2014): logit drop under a ${o.occlusionPatch} px patch set to the ${o.baseline} baseline, stride ${o.occlusionStride} px`,
};

/** The meshAttributions options of a run: its view size, the capped trial count, the configured methods' settings. */
export function attributionOptions(cfg: AttributionsConfig, r: ReverseCorrelationResult, batchSize: number): Partial<MeshAttributionOptions> & { sizePx: number } {
  if (!(Number.isInteger(cfg.trials) && cfg.trials >= 10)) throw new Error(`analyses.attributions.trials must be an integer ≥ 10, got ${cfg.trials}`);
  if (!(Number.isInteger(cfg.integratedSteps) && cfg.integratedSteps >= 1)) throw new Error(`analyses.attributions.integratedSteps must be an integer ≥ 1, got ${cfg.integratedSteps}`);
  const S = r.run.view.sizePx;
  if (!(Number.isInteger(cfg.occlusionPatch) && cfg.occlusionPatch >= 1 && cfg.occlusionPatch <= S)) throw new Error(`analyses.attributions.occlusion.patch must be an integer in [1, ${S}] (pixels, the image side), got ${cfg.occlusionPatch}`);
  if (!(Number.isInteger(cfg.occlusionStride) && cfg.occlusionStride >= 1 && cfg.occlusionStride <= cfg.occlusionPatch)) throw new Error(`analyses.attributions.occlusion.stride must be an integer in [1, patch = ${cfg.occlusionPatch}] (pixels), got ${cfg.occlusionStride}`);
  return {
    methods: ATTRIBUTION_METHODS, trials: Math.min(cfg.trials, r.noise.spec.trials), sizePx: S, yawDeg: r.run.view.yawDeg,
    baseline: 'black', igSteps: cfg.integratedSteps, occlusionPatch: cfg.occlusionPatch, occlusionStride: cfg.occlusionStride, batchSize: Math.max(1, Math.min(batchSize, 16)),
  };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** Vertices where both maps are finite. */
function sharedFinite(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let v = 0; v < a.length; v++) if (Number.isFinite(a[v]) && Number.isFinite(b[v])) n++;
  return n;
}

/**
 * Computes the attribution maps of `r` (a reverse-correlation result of `net`) and writes their
 * arrays under `prefix`attributions/. Returns null when the network has no differentiable logit
 * (an oracle) or the configuration disables them.
 */
export async function attributionMaps(
  model: FaceModel, identities: Identity[], net: Network, cfg: AttributionsConfig | undefined, r: ReverseCorrelationResult,
  w: BundleWriter, prefix: string, batchSize: number, onFraction: (f: number) => void = () => {},
): Promise<MeshAttributionsSummary | null> {
  if (!cfg?.enabled || !net.targetLogit) return null;
  const options = attributionOptions(cfg, r, batchSize);
  const result = await meshAttributions(model, identities[r.identity]!, net.targetLogit(r.identity), options, (p) => onFraction(p.fraction), r.noise);
  const V = model.vertexCount;
  const compared = r.maps.filter((m) => m.response === 'logit' && (m.feature === 'shape' || m.feature === 'texture'));
  const maps = result.maps.map((m) => {
    const magnitude = Float32Array.from(m.values, Math.abs);
    const name = `attributions.${m.method}`;
    let maxAbs = -Infinity;
    for (const x of magnitude) if (x > maxAbs) maxAbs = x;
    return {
      name, method: m.method, label: LABELS[m.method](result.options),
      visibleVertices: m.weight.reduce((a, x) => a + (x > 0 ? 1 : 0), 0),
      maxAbs: finite(maxAbs),
      arrays: {
        values: w.array(`${prefix}attributions/${m.method}.f32`, m.values, [V], '[vertex]', 'logit units (signed; NaN = never visible)'),
        magnitude: w.array(`${prefix}attributions/${m.method}.abs.f32`, magnitude, [V], '[vertex]', 'logit units (|attribution|)'),
        weight: w.array(`${prefix}attributions/${m.method}.weight.f32`, m.weight, [V], '[vertex]', 'barycentric weight summed over trials'),
      },
      // compared where both maps are finite (mapAgreement needs ≥ 3 such vertices; fewer: no entry)
      agreement: compared.filter((c) => sharedFinite(magnitude, c.map.mi) >= 3).map((c) => {
        const a = mapAgreement(magnitude, c.map.mi, { topFraction: AGREEMENT_TOP_FRACTION });
        return { map: `${c.feature}.${c.response}`, vertices: a.vertices, pearson: finite(a.pearson), spearman: finite(a.spearman), topFraction: a.topFraction, diceTop: finite(a.diceTop) };
      }),
    };
  });
  const o = result.options;
  return {
    target: r.identity, trials: o.trials, unit: ATTRIBUTION_UNIT,
    options: { baseline: o.baseline, integratedSteps: o.igSteps, integratedRule: o.igRule, occlusionPatch: o.occlusionPatch, occlusionStride: o.occlusionStride, sizePx: o.sizePx },
    completeness: result.completeness ? { mean: finite(result.completeness.mean), max: finite(result.completeness.max) } : null,
    maps,
  };
}
