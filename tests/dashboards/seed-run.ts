import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { encodeMeshRegions, experimentPreset, labelVertexRegions, MESH_REGIONS_ARTIFACT, planRun, type Manifest } from '../../workers/contract';
import { loadDefaultFaceModel } from '../../workers/faces';
import type { Db } from '../../server/db/client';
import { runs, runSteps } from '../../server/db/schema';
import type { ArtifactStore } from '../../server/storage';
import { oracleBundle, type OracleBundle } from './oracle-bundle';

/**
 * A finished run whose reverse-correlation step holds a real result bundle (the analyses
 * library's oracle maps, oracle-bundle.ts) and the face model's mesh, stored through the artifact
 * store exactly as a worker step stores them. Used to develop the dashboard and, until the
 * workflow engine finishes runs on its own, by the e2e fallback.
 */

/** v3: maps carry per-vertex p-values and binned response summaries (issue 14). */
const CACHE = path.join(process.env.DEEPER_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'deeper'), 'oracle-bundle-v3');

/** The default model's per-vertex region labels (mesh.regions.bin), as the dashboard stores them for a run. */
function meshRegionsFile(): Uint8Array<ArrayBuffer> {
  const model = loadDefaultFaceModel();
  return encodeMeshRegions(labelVertexRegions(model.vertexCount, model.regions));
}

/** The bundle, computed once per machine (about a minute on two cores) and cached on disk. */
export async function cachedOracleBundle(): Promise<{ summary: OracleBundle['summary']; files: Map<string, Uint8Array> }> {
  const index = path.join(CACHE, 'index.json');
  if (existsSync(index)) {
    const { summary, names } = JSON.parse(readFileSync(index, 'utf8')) as { summary: OracleBundle['summary']; names: string[] };
    const files = new Map(names.map((n) => [n, new Uint8Array(readFileSync(path.join(CACHE, n.replace(/\//g, '__'))))]));
    // Caches written before region labels existed: add them (cheap, not cached).
    if (!files.has(MESH_REGIONS_ARTIFACT)) files.set(MESH_REGIONS_ARTIFACT, meshRegionsFile());
    return { summary, files };
  }
  const b = await oracleBundle();
  const files = new Map(b.files);
  files.set('mesh.positions.f32', new Uint8Array(b.positions.buffer, b.positions.byteOffset, b.positions.byteLength));
  files.set('mesh.triangles.u32', new Uint8Array(b.triangles.buffer, b.triangles.byteOffset, b.triangles.byteLength));
  files.set(MESH_REGIONS_ARTIFACT, meshRegionsFile());
  const tmp = `${CACHE}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true });
  for (const [n, bytes] of files) writeFileSync(path.join(tmp, n.replace(/\//g, '__')), bytes);
  writeFileSync(path.join(tmp, 'index.json'), JSON.stringify({ summary: b.summary, names: [...files.keys()] }));
  try {
    renameSync(tmp, CACHE);
  } catch {
    // Another process cached it first.
  }
  return { summary: b.summary, files };
}

export interface SeededRun {
  runId: string;
  manifest: Manifest;
}

/** Inserts a succeeded run with one completed reverse-correlation step holding the bundle. */
export async function seedOracleRun(
  db: Db,
  store: ArtifactStore,
  opts: { workspaceId: string; experimentId: string | null; userId: string | null; bundle: { summary: OracleBundle['summary']; files: Map<string, Uint8Array> }; name?: string;
    /** A training history (train-model's history.json format) to store beside the bundle: a fixture for curve views, not a trained network's. */
    history?: { epoch: number; trainLoss: number; trainAccuracy: number; valLoss: number; valAccuracy: number }[] },
): Promise<SeededRun> {
  const config = { ...experimentPreset('demo'), name: opts.name ?? 'Oracle maps (analyses library)' };
  const plan = planRun(config);
  const [run] = await db
    .insert(runs)
    .values({ workspaceId: opts.workspaceId, experimentId: opts.experimentId, config, plan, status: 'succeeded', stage: 'finalise', fraction: 1, createdBy: opts.userId, startedAt: new Date(), finishedAt: new Date() })
    .returning({ id: runs.id });
  const artifacts: Manifest['artifacts'] = [];
  const summaryBytes = new TextEncoder().encode(JSON.stringify(opts.bundle.summary));
  const extra = opts.history ? [['history.json', new TextEncoder().encode(JSON.stringify(opts.history))] as const] : [];
  for (const [name, bytes] of [...opts.bundle.files, ['summary.json', summaryBytes] as const, ...extra]) {
    const { key, size } = await store.put(bytes);
    artifacts.push({ name, key, size, contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
  }
  const manifest: Manifest = { runId: run!.id, stepId: 'analysis-reverse-correlation', functionId: 'analysis-reverse-correlation', artifacts, summary: { kind: 'reverse-correlation-step' } };
  const manifestKey = createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
  await db.insert(runSteps).values({
    runId: run!.id,
    stepId: 'analysis-reverse-correlation',
    functionId: 'analysis-reverse-correlation',
    stage: 'analyses',
    status: 'completed',
    attempts: 1,
    fraction: 1,
    output: { manifestKey, manifest },
    startedAt: new Date(),
    finishedAt: new Date(),
  });
  return { runId: run!.id, manifest };
}
