import { informationMap, type MapFeatures } from '../../workers/analyses/maps';
import { ReverseCorrelationSummary, type ArrayRef } from '../../workers/contract/result-bundles';
import { vertexSummaryRefs } from '../../workers/analyses/bundle';
import { mapPValues, responseBins, vertexSummary } from '../../workers/analyses/vertex-summary';

/**
 * A tiny real result bundle for server tests: a tetrahedron "face" (4 vertices, 4 triangles) and
 * reverse-correlation maps computed by the analyses library (GCMI + permutation FWER) from seeded
 * trials where the response follows vertex 0's displacement. Fast (milliseconds), unlike the oracle.
 */
export async function tinyBundle(): Promise<{ summary: ReverseCorrelationSummary; files: Map<string, Uint8Array> }> {
  const V = 4, T = 300;
  // Park–Miller LCG → Box–Muller: reproducible trials.
  let s = 12345;
  const uni = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  const normal = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
  const disp = new Float64Array(V * 3 * T); // [vertex][dim][trial] mm
  for (let i = 0; i < disp.length; i++) disp[i] = normal();
  const y = new Float64Array(T);
  for (let t = 0; t < T; t++) y[t] = disp[0 * 3 * T + 2 * T + t]! + 0.5 * normal(); // vertex 0's z
  const features: MapFeatures = { nVar: V, nDim: 3, nTrial: T, skip: null, fill: (from, to, out) => out.set(disp.subarray(from * 3 * T, to * 3 * T)) };
  const map = await informationMap(features, { kind: 'continuous', y }, { permutations: 19, alpha: 0.05, seed: 7 });
  const mi = Float32Array.from(map.mi);
  const files = new Map<string, Uint8Array>([
    ['rc/id0/shape.logit.mi.f32', new Uint8Array(mi.buffer)],
    ['rc/id0/shape.logit.sig.u8', map.significant],
    ['mesh.positions.f32', new Uint8Array(Float32Array.from([0, 0, 50, 40, 0, 0, -40, 0, 0, 0, 60, 0]).buffer)],
    ['mesh.triangles.u32', new Uint8Array(Uint32Array.from([0, 1, 3, 0, 3, 2, 0, 2, 1, 1, 2, 3]).buffer)],
    ['model/weights.bin', new Uint8Array([9, 9, 9])],
  ]);
  // Per-vertex p-values and the logit in 10 bins of each vertex's z displacement (issue 14).
  const bins = responseBins({ label: 'displacement along z (mm)', fill: (v, out) => (out.set(disp.subarray(v * 3 * T + 2 * T, v * 3 * T + 3 * T)), true) }, V, T, [{ label: 'mean target logit', y }]);
  const array = (file: string, data: Float32Array | Uint8Array | Int32Array, shape: number[], layout: string, unit = ''): ArrayRef => {
    files.set(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { file, dtype: data instanceof Float32Array ? 'float32' : data instanceof Uint8Array ? 'uint8' : 'int32', shape, layout, unit };
  };
  const extras = vertexSummaryRefs({ array, arrayOnce: array }, 'rc/id0/', 'shape.logit', 'shape', vertexSummary(mapPValues(map, null), bins, 0), 'mm');
  let peak = 0;
  for (let v = 1; v < V; v++) if (mi[v]! > mi[peak]!) peak = v;
  // Parsed: the schema fills its defaults and checks the bundle is what dashboards read.
  const summary = ReverseCorrelationSummary.parse({
    kind: 'reverse-correlation',
    identity: 0,
    trials: T,
    view: { sizePx: 32, yawDeg: 0, pitchDeg: 0 },
    noise: { shapeSd: 1, textureSd: 0, seed: 12345, basis: 'vertex' },
    accuracy: 1,
    maps: [
      {
        name: 'shape.logit',
        feature: 'shape',
        response: 'logit',
        test: { method: 'max-statistic', permutations: 19, alpha: 0.05, threshold: map.threshold, seed: 7 },
        maxBits: mi[peak]!,
        peakVertex: peak,
        significant: map.significant.reduce((a, b) => a + b, 0),
        arrays: {
          mi: { file: 'rc/id0/shape.logit.mi.f32', dtype: 'float32', shape: [V], layout: '[vertex]', unit: 'bits' },
          significant: { file: 'rc/id0/shape.logit.sig.u8', dtype: 'uint8', shape: [V], layout: '[vertex]', unit: '' },
        },
        ...extras,
      },
    ],
    componentMi: { responses: [], shapeComponents: 0, textureComponents: 0, array: { file: 'none', dtype: 'float32', shape: [0], layout: '', unit: 'bits' } },
    trialTable: { file: 'none', dtype: 'float32', shape: [0], layout: '', unit: '' },
  });
  return { summary, files };
}
