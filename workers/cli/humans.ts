/**
 * npm run deeper -- analyse attributions | humans  (issue 15)
 *
 *   attributions --model <dir> --out <dir> [--identity 0] [--identities N] [--faces-seed 1]
 *          [--trials 100] [--basis components|vertex] [--shape-sd 0.5] [--texture-sd 0.5] [--seed 1]
 *          [--yaw 0] [--methods gradient-x-input,integrated-gradients,occlusion] [--baseline black|mean]
 *          [--ig-steps 32] [--ig-rule trapezoid|riemann-right] [--patch 8] [--stride 4] [--batch 16]
 *          [--compare <mi.f32> [--compare-significant <mask.u8>]]
 *       The target logit's attributions on the reverse-correlation stimuli of identity --identity,
 *       on the mesh: <out>/<method>.f32 (float32 [V], NaN = unseen), <method>.weight.f32, summary.json;
 *       with --compare (an information map of the same model, e.g. a bundle's rc/id0/texture.logit.mi.f32)
 *       the agreement (Pearson, Spearman, Dice) of |attribution| with it.
 *   humans --csv <trials.csv> --out <dir> [--min-pass 0.75] [--resamples 2000] [--seed 1]
 *          [--feature texture|shape] [--response decision|rating] [--permutations 200] [--alpha 0.05]
 *          [--beta 1] [--noise-basis vertex|components] [--noise-trials n] [--noise-shape-sd s]
 *          [--noise-texture-sd s] [--noise-seed 1] [--noise-design independent|orthogonal] [--noise-region <region | landmark>] [--noise-radius mm]
 *          [--noise-spec <human-rc-noise.json>] [--face-model <face-model.bin>]
 *          [--network-generalisation <summary.json>] [--compare <mi.f32> [--compare-significant <mask.u8>]]
 *       Human analyses of a tidy trial CSV (docs/human-trials.md): generalisation curves, reverse-
 *       correlation maps (the --noise-* options, or --noise-spec = the run's human-rc-noise.json, give
 *       the run's noise draw; --face-model the run's face model, default the bundled one) and prevalence, into a
 *       bundle with the deduplicated raw export (trials.csv) and its data dictionary (human-trials.md).
 *       Beside the network: --network-generalisation (a generalisation or battery bundle's summary.json)
 *       compares the pooled curves with the network's top-1 accuracy; --compare the pooled map with
 *       the network's map of the same feature (bits [V], and its significance mask).
 * Both print one JSON line with the headline figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttributionSummary, HumanSummary, jsonSafe } from '../contract';
import { folderFiles, stagedFolderSync } from '../util';
import { choice, num, progress, str, type Opts } from './analyse';

export async function attributionsCommand(o: Opts): Promise<number> {
  const { chooseBackend, loadModel } = await import('../nn');
  const { loadDefaultFaceModel, sampleIdentities } = await import('../faces');
  const { targetLogit, meshAttributions, ATTRIBUTION_METHODS, MESH_ATTRIBUTION_DEFAULTS, mapAgreement, BundleWriter } = await import('../analyses');
  type Method = (typeof ATTRIBUTION_METHODS)[number];
  const backend = await chooseBackend({ log: () => {} });
  const net = await loadModel(folderFiles(str(o, 'model')));
  const classes = net.outputs[0].shape[1] as number;
  const size = net.inputs[0].shape[1] as number;
  const model = loadDefaultFaceModel();
  const identities = sampleIdentities(model, { count: num(o, 'identities', classes, 1, 100_000, true), seed: num(o, 'faces-seed', 1, 0, 2 ** 31 - 1, true) });
  const identity = num(o, 'identity', 0, 0, identities.length - 1, true);
  const methods = (typeof o.get('methods') === 'string' ? String(o.get('methods')).split(',') : ATTRIBUTION_METHODS) as Method[];
  for (const m of methods) if (!ATTRIBUTION_METHODS.includes(m)) throw new Error(`--methods: '${m}' is not one of ${ATTRIBUTION_METHODS.join(', ')}`);
  const d = MESH_ATTRIBUTION_DEFAULTS;
  const r = await meshAttributions(model, identities[identity], targetLogit(net, identity), {
    sizePx: size, methods,
    trials: num(o, 'trials', d.trials, 10, 100_000, true),
    basis: choice(o, 'basis', ['components', 'vertex'] as const, d.basis),
    shapeNoiseSd: num(o, 'shape-sd', d.shapeNoiseSd, 0, 10),
    textureNoiseSd: num(o, 'texture-sd', d.textureNoiseSd, 0, 10),
    seed: num(o, 'seed', d.seed, 0, 2 ** 31 - 1, true),
    yawDeg: num(o, 'yaw', 0, -90, 90),
    baseline: choice(o, 'baseline', ['black', 'mean'] as const, d.baseline),
    igSteps: num(o, 'ig-steps', d.igSteps, 1, 1024, true),
    igRule: choice(o, 'ig-rule', ['trapezoid', 'riemann-right'] as const, d.igRule),
    occlusionPatch: num(o, 'patch', d.occlusionPatch, 1, size, true),
    occlusionStride: num(o, 'stride', d.occlusionStride, 1, size, true),
    batchSize: num(o, 'batch', d.batchSize, 1, 1024, true),
  }, progress('attributions'));
  process.stderr.write('\n');
  const V = model.vertexCount;
  const readMap = (file: string, bytes: number) => {
    const b = readFileSync(file);
    if (b.length !== V * bytes) throw new Error(`${file}: ${b.length} bytes, expected ${V} vertices × ${bytes}`);
    return bytes === 4 ? new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)) : new Uint8Array(b);
  };
  const compare = typeof o.get('compare') === 'string' ? readMap(str(o, 'compare'), 4) as Float32Array : null;
  const compareSig = typeof o.get('compare-significant') === 'string' ? readMap(str(o, 'compare-significant'), 1) as Uint8Array : null;
  const w = new BundleWriter(stagedFolderSync(str(o, 'out')));
  const maps = r.maps.map((m) => {
    const values = w.array(`${m.method}.f32`, m.values, [V], '[vertex]', 'logit units');
    const weight = w.array(`${m.method}.weight.f32`, m.weight, [V], '[vertex]', 'barycentric weight');
    const pixelMean = w.array(`${m.method}.pixels.f32`, m.pixelMean, [size, size], '[row][column]', 'logit units');
    const agreement = compare ? mapAgreement(m.values, compare, { absolute: true, topFraction: 0.05, ...(compareSig ? { significantB: compareSig, significantA: topMask(m.values, compareSig) } : {}) }) : null;
    return { method: m.method, values, weight, pixelMean, visibleVertices: m.weight.filter((x) => x > 0).length, agreement };
  });
  const summary = { kind: 'attributions', identity, target: identity, backend, options: r.options, completeness: r.completeness, meanLogit: r.logit.reduce((a, b) => a + b, 0) / r.logit.length, maps };
  finishOrAbort(w, () => AttributionSummary.parse(jsonSafe(summary)));
  console.log(JSON.stringify({ out: str(o, 'out'), completeness: r.completeness, maps: maps.map((m) => ({ method: m.method, visibleVertices: m.visibleVertices, agreement: m.agreement })) }));
  return 0;
}

/** Validates the summary and moves the bundle into place; an invalid summary leaves no bundle behind. */
function finishOrAbort(w: { finish(s: unknown): string; abort(): void }, summary: () => unknown): void {
  let checked: unknown;
  try {
    checked = summary();
  } catch (e) {
    w.abort();
    throw e;
  }
  w.finish(checked);
}

/** The attribution's top |values| set as large as the compared significant set (for a Dice of equal-size sets). */
function topMask(values: Float32Array, significant: Uint8Array): Uint8Array {
  const k = significant.reduce((a, b) => a + b, 0);
  const order = Array.from(values.keys()).filter((v) => Number.isFinite(values[v])).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  const out = new Uint8Array(values.length);
  for (const v of order.slice(0, k)) out[v] = 1;
  return out;
}

export async function humansCommand(o: Opts): Promise<number> {
  const { loadDefaultFaceModel, decodeFaceModel } = await import('../faces');
  const {
    parseHumanTrialsCsv, humanTrialsCsv, dataDictionary, trialTable, humanGeneralisation, humanMaps, drawNoise, resolveRegion, BundleWriter,
  } = await import('../analyses');
  const csvFile = str(o, 'csv');
  const table = trialTable(parseHumanTrialsCsv(readFileSync(csvFile, 'utf8')), { minPassRate: num(o, 'min-pass', 0.75, 0, 1) });
  const seed = num(o, 'seed', 1, 0, 2 ** 31 - 1, true);
  const hasGen = table.rows.some((r) => r.condition === 'generalisation');
  const hasRc = table.rows.some((r) => r.condition === 'reverse-correlation');
  const gen = hasGen ? humanGeneralisation(table, { resamples: num(o, 'resamples', 2000, 100, 1_000_000, true), seed }) : null;
  let curves: unknown = null;
  if (typeof o.get('network-generalisation') === 'string') {
    const { GeneralisationSummary } = await import('../contract');
    const { curvesBeside } = await import('../analyses');
    const raw = JSON.parse(readFileSync(str(o, 'network-generalisation'), 'utf8')) as { kind?: string; generalisation?: unknown };
    const net = GeneralisationSummary.parse(raw.kind === 'generalisation' ? raw : raw.generalisation);
    curves = gen ? curvesBeside(gen.pooled, net.curves) : null;
  }
  const w = new BundleWriter(stagedFolderSync(str(o, 'out')));
  let rc: Record<string, unknown> | null = null;
  if (hasRc) {
    const model = typeof o.get('face-model') === 'string' ? decodeFaceModel(new Uint8Array(readFileSync(str(o, 'face-model'))), str(o, 'face-model')) : loadDefaultFaceModel();
    const maxNoiseTrial = Math.max(...table.rows.map((r) => r.noise_trial ?? 0));
    let noise: ReturnType<typeof drawNoise>;
    if (typeof o.get('noise-spec') === 'string') {
      // The run's own draw (human-rc-noise.json of its reverse-correlation step): trial t is the noise on human-rc image t.
      const { HumanRcNoise } = await import('../contract');
      const spec = HumanRcNoise.parse(JSON.parse(readFileSync(str(o, 'noise-spec'), 'utf8'))).noise;
      if (maxNoiseTrial >= spec.trials) throw new Error(`noise_trial ${maxNoiseTrial} is outside the run's noise draw of ${spec.trials} trials`);
      noise = drawNoise(model, spec);
    } else {
      const basis = choice(o, 'noise-basis', ['vertex', 'components'] as const, 'vertex');
      noise = drawNoise(model, {
        basis, trials: num(o, 'noise-trials', maxNoiseTrial + 1, 10, 1_000_000, true),
        shapeSd: num(o, 'noise-shape-sd', basis === 'vertex' ? 0 : 0.5, 0, 100),
        textureSd: num(o, 'noise-texture-sd', basis === 'vertex' ? 0.05 : 0.5, 0, 100),
        seed: num(o, 'noise-seed', 1, 0, 2 ** 31 - 1, true),
        design: choice(o, 'noise-design', ['independent', 'orthogonal'] as const, 'independent'),
        vertices: typeof o.get('noise-region') === 'string' ? resolveRegion(model, str(o, 'noise-region'), num(o, 'noise-radius', 10, 0.1, 500)) : undefined,
      });
    }
    const maps = await humanMaps(model, noise, table, {
      feature: choice(o, 'feature', ['texture', 'shape'] as const, 'texture'),
      response: choice(o, 'response', ['decision', 'rating'] as const, 'decision'),
      permutations: num(o, 'permutations', 200, 0, 100_000, true),
      alpha: num(o, 'alpha', 0.05, 1e-4, 0.5),
      beta: num(o, 'beta', 1, 1e-3, 1),
      seed,
    }, (f) => progress('human maps')({ fraction: f, stage: 'maps', etaSeconds: null }));
    process.stderr.write('\n');
    const V = model.vertexCount;
    const participants = maps.participants.map((p) => ({
      participant: p.participant, flagged: p.flagged, trials: p.trials, significant: p.significant,
      significantVertices: p.map ? p.map.significant.reduce((a, b) => a + b, 0) : null,
      thresholdBits: p.map?.threshold ?? null,
      mi: p.map ? w.array(`rc/${p.participant}.mi.f32`, Float32Array.from(p.map.mi), [V], '[vertex]', 'bits') : null,
      mask: p.map ? w.array(`rc/${p.participant}.significant.u8`, p.map.significant, [V], '[vertex]') : null,
    }));
    const pm = maps.pooled.map;
    let network: unknown = null;
    if (typeof o.get('compare') === 'string' && pm) {
      const { mapsBeside } = await import('../analyses');
      const read = (file: string, bytes: number) => {
        const b = readFileSync(file);
        if (b.length !== V * bytes) throw new Error(`${file}: ${b.length} bytes, expected ${V} vertices × ${bytes}`);
        return b;
      };
      const mi = new Float32Array(read(str(o, 'compare'), 4).buffer.slice(0));
      const sig = typeof o.get('compare-significant') === 'string' ? new Uint8Array(read(str(o, 'compare-significant'), 1)) : undefined;
      network = mapsBeside(pm, mi, sig);
    }
    rc = {
      options: maps.options, noise: noise.spec.basis, notes: maps.notes, participants,
      pooled: { trials: maps.pooled.trials, participants: maps.pooled.participants, thresholdBits: pm?.threshold ?? null, significantVertices: pm ? pm.significant.reduce((a, b) => a + b, 0) : null,
        mi: pm ? w.array('rc/pooled.mi.f32', Float32Array.from(pm.mi), [V], '[vertex]', 'bits') : null,
        mask: pm ? w.array('rc/pooled.significant.u8', pm.significant, [V], '[vertex]') : null },
      prevalence: maps.prevalence,
      network,
      vertexPrevalence: maps.vertexPrevalence ? {
        k: w.array('rc/prevalence.k.i32', maps.vertexPrevalence.k, [V], '[vertex]'),
        map: w.array('rc/prevalence.map.f32', maps.vertexPrevalence.map, [V], '[vertex]'),
        lowerBound: w.array('rc/prevalence.lower.f32', maps.vertexPrevalence.lowerBound, [V], '[vertex]'),
      } : null,
    };
  }
  w.file('trials.csv', humanTrialsCsv(table.rows));
  w.file('human-trials.md', dataDictionary());
  const summary = { kind: 'humans', source: path.basename(csvFile), rows: table.rows.length, duplicates: table.duplicates, attention: table.attention, included: table.included, generalisation: gen, curvesBesideNetwork: curves, reverseCorrelation: rc };
  finishOrAbort(w, () => HumanSummary.parse(jsonSafe(summary)));
  console.log(JSON.stringify({
    out: str(o, 'out'), rows: table.rows.length, duplicates: table.duplicates, participants: table.attention.length,
    flagged: table.attention.filter((a) => a.flagged).map((a) => a.participant),
    prevalence: rc ? (rc.prevalence as unknown) : null,
    pooledSignificantVertices: rc ? (rc.pooled as { significantVertices: number | null }).significantVertices : null,
    mapBesideNetwork: rc ? rc.network : null,
    curvesBesideNetwork: curves,
    generalisation: gen?.pooled.map((c) => ({ manipulation: c.manipulation, levels: c.levels, mean: c.mean, lower: c.lower, upper: c.upper })) ?? null,
  }));
  return 0;
}
