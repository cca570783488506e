import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaceModel, Identity } from '../faces';
import type { StepContext } from './define';

/**
 * How the steps hand data to each other through the artifact store (names inside manifests):
 *   sample-identities: face-model.bin (workers/faces format), identities.json (IdentityJson[])
 *   render-dataset:    images.u8 (Uint8 [n][S][S][3]), labels.i32 (Int32 [n]), split.u8 (0 train,
 *                      1 validation, [n]), factors.json (per image: yaw, pitch, roll, light, scale, shift)
 *   train-model / import-model: model/<file> (a TensorFlow.js LayersModel: model.json + weights)
 * Float32 values survive JSON exactly (shortest round-trip decimal of the float).
 */
export interface IdentityJson {
  index: number;
  demographics: Identity['demographics'];
  shape: number[];
  texture: number[];
  expression: number[];
}

export function identitiesToJson(ids: Identity[]): IdentityJson[] {
  return ids.map((i) => ({ index: i.index, demographics: i.demographics, shape: Array.from(i.shape), texture: Array.from(i.texture), expression: Array.from(i.expression) }));
}

export function identitiesFromJson(json: IdentityJson[]): Identity[] {
  return json.map((i) => ({
    index: i.index,
    demographics: i.demographics,
    shape: Float32Array.from(i.shape),
    texture: Float32Array.from(i.texture),
    expression: Float32Array.from(i.expression),
  }));
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The face model and identities written by the sample-identities step. */
export async function readFaces(ctx: StepContext, stepId = 'sample-identities'): Promise<{ model: FaceModel; identities: Identity[] }> {
  const { decodeFaceModel } = await import('../faces');
  const model = decodeFaceModel(await ctx.readArtifact(stepId, 'face-model.bin'), `${stepId}/face-model.bin`);
  const identities = identitiesFromJson(await ctx.readJson<IdentityJson[]>(stepId, 'identities.json'));
  return { model, identities };
}

/** Stores every file of a LayersModel directory as model/<file>. */
export async function putModelDir(ctx: StepContext, dir: string): Promise<void> {
  for (const file of (await readdir(dir)).sort()) {
    const bytes = new Uint8Array(await readFile(path.join(dir, file)));
    await ctx.putArtifact(`model/${file}`, bytes, file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  }
}

/** Writes the model/<file> artifacts of step `stepId` into a directory of the scratch space. */
export async function materialiseModel(ctx: StepContext, stepId: string): Promise<string> {
  const dir = path.join(ctx.scratchDir, `model-${stepId}`);
  await mkdir(dir, { recursive: true });
  const files = ctx.manifestOf(stepId).artifacts.filter((a) => a.name.startsWith('model/'));
  if (!files.some((f) => f.name === 'model/model.json')) throw new Error(`step '${stepId}' stored no model/model.json`);
  for (const f of files) await writeFile(path.join(dir, f.name.slice('model/'.length)), await ctx.store.get(f.key));
  return dir;
}

/** The step that produced the network: train-model or import-model, whichever this step needs. */
export function modelStep(ctx: StepContext): string {
  const id = ['train-model', 'import-model'].find((s) => s in ctx.input.inputs);
  if (!id) throw new Error(`step '${ctx.input.stepId}' needs the train-model or import-model step`);
  return id;
}
