import { and, eq, inArray } from 'drizzle-orm';
import { encodeMeshRegions, MESH_REGIONS_ARTIFACT, type Manifest } from '../../workers/contract';
import type { Db } from '../db/client';
import { artifacts, experiments, runs, runSteps } from '../db/schema';
import { getArtifactStore, storeArtifact, type ArtifactStore } from '../storage';
import { meshFromFaceModel } from './face-model-mesh';
import { trainingCurves } from './build';
import type { DashboardDecl } from '../../workers/contract';
import { buildDashboard, type ArtifactRowLike } from './build';
import { declFromResult } from './dashboard-results';
import type { DashboardManifest } from '../../workers/contract';

export type RunRow = typeof runs.$inferSelect;

/** A few configuration facts for the dashboard header. */
export function runFacts(run: RunRow): Record<string, string | number | boolean> {
  const c = run.config;
  return {
    identities: c.faces.identities,
    imageSizePx: c.render.sizePx,
    imagesPerIdentity: c.render.imagesPerIdentity,
    network: c.training.source === 'import' ? 'imported' : `ResNet-10 ×${c.training.width}`,
    epochs: c.training.epochs,
    trials: c.analyses.reverseCorrelation.trials,
    permutations: c.analyses.reverseCorrelation.permutations,
    seed: c.seed,
  };
}

/**
 * The step manifests of a run in plan order: each completed step's output manifest, then the
 * finalise manifest stored on the run (when the finalise step's output is not already there).
 */
export async function runManifests(db: Db, run: RunRow): Promise<Manifest[]> {
  const steps = await db.select().from(runSteps).where(eq(runSteps.runId, run.id));
  const order = new Map(run.plan.map((s, i) => [s.id, i]));
  const done = steps
    .filter((s) => s.status === 'completed' && s.output)
    .sort((a, b) => (order.get(a.stepId) ?? 1e9) - (order.get(b.stepId) ?? 1e9))
    .map((s) => s.output!.manifest);
  if (run.result && !done.some((m) => m.stepId === run.result!.stepId)) done.push(run.result);
  return done;
}

/**
 * The run's artifact rows by content key. A manifest names its artifacts by key (the worker wrote
 * the bytes to the shared store); where no row registers a key to this run yet, one is added, so
 * the artifact route can serve it to the workspace's members. Idempotent.
 */
export async function ensureArtifactRows(db: Db, run: RunRow, manifests: Manifest[]): Promise<Map<string, ArtifactRowLike>> {
  const cols = { id: artifacts.id, key: artifacts.key, name: artifacts.name, size: artifacts.size, contentType: artifacts.contentType };
  const rows = await db.select(cols).from(artifacts).where(and(eq(artifacts.runId, run.id), eq(artifacts.workspaceId, run.workspaceId)));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const missing = new Map<string, Manifest['artifacts'][number]>();
  for (const m of manifests) for (const a of m.artifacts) if (!byKey.has(a.key)) missing.set(a.key, a);
  if (missing.size) {
    const added = await db
      .insert(artifacts)
      .values([...missing.values()].map((a) => ({ workspaceId: run.workspaceId, runId: run.id, key: a.key, name: a.name, size: a.size, contentType: a.contentType })))
      .returning(cols);
    for (const r of added) byKey.set(r.key, r);
  }
  return byKey;
}

const RESULT_KINDS = new Set(['battery', 'generalisation', 'reverse-correlation', 'hidden-layers', 'pose-invariance']);

/** Reads a small JSON artifact from the store (result summaries are kilobytes). */
async function readJson(store: ArtifactStore, key: string): Promise<unknown> {
  const text = await new Response(await store.get(key)).text();
  return JSON.parse(text);
}

/**
 * The analysis result summary of a step, wherever the step put it: the manifest summary itself,
 * summary.result, or a stored summary.json (the bundle's own file). Null when there is none.
 */
export async function resultSummaryOf(m: Manifest, store: ArtifactStore): Promise<unknown | null> {
  // The bundle's own summary.json is the full result; a step's manifest summary may be a digest
  // that only shares the kind, so it is used only when there is no summary.json.
  const file = m.artifacts.find((a) => a.name === 'summary.json') ?? m.artifacts.find((a) => a.name.endsWith('/summary.json'));
  if (file && file.size <= 8 * 1024 * 1024) {
    try {
      const json = await readJson(store, file.key);
      if (RESULT_KINDS.has((json as { kind?: string })?.kind ?? '')) return json;
    } catch {
      // Unreadable: fall back to the manifest's summary.
    }
  }
  const s = m.summary as Record<string, unknown>;
  const inner = s.result as Record<string, unknown> | undefined;
  if (inner && RESULT_KINDS.has(inner.kind as string)) return inner;
  if (RESULT_KINDS.has(s.kind as string)) return s;
  return null;
}

/** Training curves from a train step's history.json ([{ epoch, trainLoss, trainAccuracy, valLoss, valAccuracy }]). */
async function trainingCurvesOf(m: Manifest, store: ArtifactStore) {
  const file = m.artifacts.find((a) => a.name === 'history.json');
  if (!file || file.size > 4 * 1024 * 1024) return [];
  try {
    const h = (await readJson(store, file.key)) as { trainLoss?: number; trainAccuracy?: number; valLoss?: number | null; valAccuracy?: number | null }[];
    if (!Array.isArray(h) || !h.length) return [];
    const col = (k: keyof (typeof h)[number]) => (h.every((e) => typeof e[k] === 'number') ? h.map((e) => e[k] as number) : undefined);
    return trainingCurves({ loss: col('trainLoss'), accuracy: col('trainAccuracy'), valLoss: col('valLoss'), valAccuracy: col('valAccuracy') });
  } catch {
    return [];
  }
}

/**
 * Degrees for angles, a fraction of the image for translations, a factor for scale. Only the
 * factors a stimulus records are named (a seeded or imported gallery may store the pose alone),
 * never a placeholder for a missing one.
 */
export function factorCaption(f: Record<string, unknown>): string {
  const n = (k: string) => (typeof f[k] === 'number' && Number.isFinite(f[k]) ? (f[k] as number) : undefined);
  const deg = (x: number) => `${x.toFixed(0)}°`;
  const frac = (x: number) => x.toFixed(2);
  const join = (parts: (string | null)[]) => parts.filter((p): p is string => p !== null).join(', ');
  const some = <T,>(x: T | undefined, fmt: (x: T) => string) => (x === undefined ? null : fmt(x));
  const pose = join([some(n('yaw'), (x) => `yaw ${deg(x)}`), some(n('pitch'), (x) => `pitch ${deg(x)}`), some(n('roll'), (x) => `roll ${deg(x)}`)]);
  const light = join([some(n('lightAzimuth'), (x) => `${deg(x)} az`), some(n('lightElevation'), (x) => `${deg(x)} el`)]);
  const shift = join([some(n('translateX'), frac), some(n('translateY'), frac)]);
  const manipulation = typeof f.manipulation === 'string' ? `${f.manipulation}${some(n('level'), (x) => ` ${frac(x)}`) ?? ''}` : '';
  return [pose, light && `light ${light}`, some(n('scale'), (x) => `scale ${frac(x)}`) ?? '', shift && `shift ${shift}`, manipulation, some(n('noiseTrial'), (x) => `noise trial ${x}`) ?? '']
    .filter((p) => p !== '')
    .join('; ');
}

/** The render step's per-image PNGs (stimuli/<i>.png) captioned with factors.json[i]: identity and factor values. */
async function galleryOf(m: Manifest, store: ArtifactStore) {
  const pngs = m.artifacts.filter((a) => /^stimuli\/\d+\.png$/.test(a.name));
  const file = m.artifacts.find((a) => a.name === 'factors.json');
  if (!pngs.length || !file || file.size > 32 * 1024 * 1024) return [];
  try {
    const factors = (await readJson(store, file.key)) as Record<string, unknown>[];
    if (!Array.isArray(factors)) return [];
    return pngs
      .map((a) => ({ a, i: Number(/\d+/.exec(a.name.slice('stimuli/'.length))![0]) }))
      .filter(({ i }) => factors[i] && typeof factors[i]!.identity === 'number')
      .sort((x, y) => x.i - y.i)
      .map(({ a, i }) => ({ identity: `id${factors[i]!.identity}`, factor: factorCaption(factors[i]!), image: a.name }));
  } catch {
    return [];
  }
}

const MESH_NAMES = ['mesh.positions.f32', 'mesh.triangles.u32', MESH_REGIONS_ARTIFACT] as const;

/**
 * When no step stored the mesh, it is taken from the run's stored face model (face-model.bin of
 * the sample-identities step) once and registered to the run as mesh.positions.f32 and
 * mesh.triangles.u32; returned as a manifest of its own so build.ts finds it by the usual names.
 */
async function ensureMesh(db: Db, run: RunRow, manifests: Manifest[], store: ArtifactStore): Promise<{ manifest: Manifest; rows: ArtifactRowLike[] } | null> {
  if (manifests.some((m) => m.artifacts.some((a) => a.name.endsWith('mesh.positions.f32')))) return null;
  const model = manifests.flatMap((m) => m.artifacts).find((a) => a.name === 'face-model.bin');
  if (!model) return null;
  const cols = { id: artifacts.id, key: artifacts.key, name: artifacts.name, size: artifacts.size, contentType: artifacts.contentType };
  let rows = await db.select(cols).from(artifacts).where(and(eq(artifacts.runId, run.id), inArray(artifacts.name, [...MESH_NAMES])));
  if (rows.length < MESH_NAMES.length) {
    // Runs stored before region labels existed hold the first two: only the missing ones are added.
    const bytes = new Uint8Array(await new Response(await store.get(model.key)).arrayBuffer());
    const mesh = meshFromFaceModel(bytes);
    const asBytes = (a: Float32Array | Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const have = new Set(rows.map((r) => r.name));
    const data: Record<(typeof MESH_NAMES)[number], Uint8Array> = {
      [MESH_NAMES[0]]: asBytes(mesh.positions), [MESH_NAMES[1]]: asBytes(mesh.triangles), [MESH_NAMES[2]]: encodeMeshRegions(mesh.regions),
    };
    for (const name of MESH_NAMES) if (!have.has(name)) rows.push(await storeArtifact(db, { workspaceId: run.workspaceId, runId: run.id, name, data: data[name] }, store));
  }
  const manifest: Manifest = {
    runId: run.id,
    stepId: 'dashboard-mesh',
    functionId: 'finalise',
    artifacts: rows.map((r) => ({ name: r.name, key: r.key, size: r.size, contentType: r.contentType })),
    summary: {},
  };
  return { manifest, rows };
}

type Loaded = { manifest: DashboardManifest; problems: string[]; workspaceId: string };
/**
 * Manifests of finished runs, by run id and finish time: a finished run's steps never change, so
 * its manifest is built once per process (store reads of summaries and histories included).
 */
const finishedCache = new Map<string, Loaded>();
const CACHE_LIMIT = 64;

/** The dashboard of one run (null when there is no such run). */
export async function loadDashboard(db: Db, runId: string, store: ArtifactStore = getArtifactStore()): Promise<Loaded | null> {
  const [head] = await db.select({ status: runs.status, finishedAt: runs.finishedAt }).from(runs).where(eq(runs.id, runId)).limit(1);
  if (!head) return null;
  const key = head.status === 'succeeded' && head.finishedAt ? `${runId}:${head.finishedAt.getTime()}` : null;
  const hit = key ? finishedCache.get(key) : undefined;
  if (hit) return structuredClone(hit);
  const built = await buildRunDashboard(db, runId, store);
  if (key && built && built.problems.length === 0) {
    if (finishedCache.size >= CACHE_LIMIT) finishedCache.delete(finishedCache.keys().next().value!);
    finishedCache.set(key, structuredClone(built));
  }
  return built;
}

async function buildRunDashboard(db: Db, runId: string, store: ArtifactStore): Promise<{ manifest: DashboardManifest; problems: string[]; workspaceId: string } | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId)).limit(1);
  if (!run) return null;
  const [exp] = run.experimentId ? await db.select({ name: experiments.name }).from(experiments).where(eq(experiments.id, run.experimentId)) : [];
  const manifests = await runManifests(db, run);
  const rowsByKey = await ensureArtifactRows(db, run, manifests);
  const derived = new Map<string, DashboardDecl>();
  for (const m of manifests) {
    const decl: DashboardDecl = { maps: [], curves: [], stimuli: [] };
    const result = await resultSummaryOf(m, store);
    if (result) Object.assign(decl, declFromResult(result));
    decl.curves!.push(...(await trainingCurvesOf(m, store)));
    const preview = m.artifacts.find((a) => a.name === 'preview.png');
    if (preview) decl.stimuli!.push({ identity: 'first identities', factor: 'training images (4 per identity)', image: preview.name });
    decl.stimuli!.push(...(await galleryOf(m, store)));
    derived.set(m.stepId, decl);
  }
  const meshStep = await ensureMesh(db, run, manifests, store);
  if (meshStep) {
    manifests.push(meshStep.manifest);
    for (const r of meshStep.rows) rowsByKey.set(r.key, r);
  }
  const built = buildDashboard({
    derived,
    run: { id: run.id, name: exp?.name ?? run.config.name, status: run.status, experimentId: run.experimentId, createdAt: run.createdAt, finishedAt: run.finishedAt, facts: runFacts(run) },
    manifests,
    rowsByKey,
  });
  return { ...built, workspaceId: run.workspaceId };
}

/** Artifact rows by id restricted to one workspace (used to check that ids belong to it). */
export async function artifactIdsInWorkspace(db: Db, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.select({ id: artifacts.id }).from(artifacts).where(and(eq(artifacts.workspaceId, workspaceId), inArray(artifacts.id, ids)));
  return new Set(rows.map((r) => r.id));
}
