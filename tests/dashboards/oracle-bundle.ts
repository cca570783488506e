import { loadDefaultFaceModel } from '../../workers/faces';
import { runOracle } from '../../workers/analyses/oracle';
import type { FweMap } from '../../workers/analyses/maps';
import { noiseFeatures } from '../../workers/analyses/noise';
import { mapPValues, responseBins, responseLabel, vertexScalarFeature, vertexSummary, type VertexSummary } from '../../workers/analyses/vertex-summary';
import { vertexSummaryRefs } from '../../workers/analyses/bundle';
import { ReverseCorrelationSummary, type ArrayRef, type InformationMapSummary } from '../../workers/contract/result-bundles';
import type { FaceModel } from '../../workers/faces/model';
import type { OracleResult } from '../../workers/analyses/oracle';

/**
 * A real reverse-correlation result bundle for developing and testing the dashboard before the
 * workflow engine finishes runs: the analyses library's oracle (issue 6) plants a response on the
 * nose's shape and on the mouth's albedo of the default face model; the GCMI maps with their
 * permutation FWER thresholds are what a network's maps look like to the viewer. Nothing here is
 * made up: every number comes from the library.
 *
 * files: bundle-relative name → bytes; summary: ReverseCorrelationSummary (results.ts).
 */
export interface OracleBundle {
  summary: ReverseCorrelationSummary;
  files: Map<string, Uint8Array>;
  /** The face model's mean mesh: Float32 [V][3] mm and Uint32 [T][3]. */
  positions: Float32Array;
  triangles: Uint32Array;
  region: { shape: Uint32Array; texture: Uint32Array };
}

const bytes = (a: Float32Array | Uint32Array | Uint8Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** BundleWriter's array methods, into the in-memory file map (the same names and layouts as a worker's bundle). */
function memoryWriter(files: Map<string, Uint8Array>) {
  const array = (file: string, data: Float32Array | Uint8Array | Int32Array, shape: number[], layout: string, unit = ''): ArrayRef => {
    files.set(file, bytes(data));
    return { file, dtype: data instanceof Float32Array ? 'float32' : data instanceof Uint8Array ? 'uint8' : 'int32', shape, layout, unit };
  };
  return { array, arrayOnce: array };
}

/** The oracle map's p-values and binned planted-response summary (workers/analyses/vertex-summary.ts). */
function oracleVertexSummary(model: FaceModel, o: OracleResult, kind: 'shape' | 'texture'): VertexSummary {
  const bins = responseBins(vertexScalarFeature(model, o.noise, kind), model.vertexCount, o.trials, [{ label: responseLabel('oracle'), y: o.response }]);
  return vertexSummary(mapPValues(o.planted!, noiseFeatures(model, o.noise, kind).skip), bins, 0);
}

function mapSummary(name: string, feature: string, map: FweMap, files: Map<string, Uint8Array>, permutations: number, seed: number, summary: VertexSummary): InformationMapSummary {
  const V = map.mi.length;
  const mi = Float32Array.from(map.mi);
  let peak = 0;
  for (let v = 1; v < V; v++) if (mi[v]! > mi[peak]!) peak = v;
  files.set(`rc/id0/${name}.mi.f32`, bytes(mi));
  files.set(`rc/id0/${name}.significant.u8`, bytes(map.significant));
  return {
    name,
    feature,
    response: 'oracle',
    test: { method: 'max-statistic', permutations, alpha: 0.05, threshold: map.threshold, seed },
    maxBits: mi[peak]!,
    peakVertex: peak,
    significant: map.significant.reduce((a, b) => a + b, 0),
    arrays: {
      mi: { file: `rc/id0/${name}.mi.f32`, dtype: 'float32', shape: [V], layout: '[vertex]', unit: 'bits' },
      significant: { file: `rc/id0/${name}.significant.u8`, dtype: 'uint8', shape: [V], layout: '[vertex]', unit: '' },
    },
    ...vertexSummaryRefs(memoryWriter(files), 'rc/id0/', name, feature, summary, feature === 'shape' ? 'mm' : 'albedo'),
  };
}

export async function oracleBundle(opts: { trials?: number; permutations?: number; seed?: number } = {}): Promise<OracleBundle> {
  const model = loadDefaultFaceModel();
  const trials = opts.trials ?? 600;
  const permutations = opts.permutations ?? 20;
  const seed = opts.seed ?? 1;
  const shape = await runOracle(model, { kind: 'shape', region: 'nose', seed, trials, permutations, basis: 'components', maps: 'planted' });
  const texture = await runOracle(model, { kind: 'texture', region: 'mouth', seed: seed + 1, trials, permutations, basis: 'components', maps: 'planted' });
  if (!shape.planted || !texture.planted) throw new Error('the oracle computed no planted map');
  const files = new Map<string, Uint8Array>();
  const maps = [
    mapSummary('shape', 'shape', shape.planted, files, permutations, seed, oracleVertexSummary(model, shape, 'shape')),
    mapSummary('texture', 'texture', texture.planted, files, permutations, seed + 1, oracleVertexSummary(model, texture, 'texture')),
  ];
  // Parsed: the schema fills its defaults and checks the bundle is what dashboards read.
  const summary = ReverseCorrelationSummary.parse({
    kind: 'reverse-correlation',
    identity: 0,
    trials,
    view: { sizePx: 64, yawDeg: 0, pitchDeg: 0 },
    noise: { shapeSd: 0.5, textureSd: 0.5, seed, basis: 'components' },
    accuracy: 1,
    maps,
    componentMi: { responses: [], shapeComponents: 0, textureComponents: 0, array: { file: 'rc/id0/component-mi.f32', dtype: 'float32', shape: [0, 0], layout: '[response][component]', unit: 'bits' } },
    trialTable: { file: 'rc/id0/trials.f32', dtype: 'float32', shape: [0, 4], layout: '[trial][column]', unit: '', columns: ['logit', 'probability', 'decision', 'predicted'] },
  });
  files.set('rc/id0/component-mi.f32', new Uint8Array(0));
  files.set('rc/id0/trials.f32', new Uint8Array(0));
  return { summary, files, positions: model.mean, triangles: model.triangles, region: { shape: shape.region, texture: texture.region } };
}
