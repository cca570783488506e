import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ArtifactKey } from '../contract';
import { folderFiles } from '../util';
import { putModelDir } from './artifacts';
import { defineWorkerFunction } from './define';

/**
 * An uploaded network: a JSON artifact {"files": {"model.json": <base64>, "<weights>.bin": <base64>, ...}}
 * holding a TensorFlow.js LayersModel directory (what tf.LayersModel.save writes).
 */
export const ModelBundle = z.object({
  files: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'file names in a model bundle must be plain names'), z.string()),
});

/**
 * Step 3 (alternative): use an imported network instead of training. Checks that it takes
 * render.sizePx images and scores faces.identities classes (errors name what differs), then
 * stores it as model/* like train-model does.
 */
export const importModel = defineWorkerFunction({
  id: 'import-model',
  title: 'Import network',
  retries: 1,
  async run(ctx) {
    const { config } = ctx.input;
    const key = ArtifactKey.safeParse(config.training.importedModel ?? '');
    if (!key.success) throw new Error(`training.importedModel must be the sha256 key of an uploaded model bundle (training.source is 'import'), got '${config.training.importedModel ?? ''}'`);
    const bundle = ModelBundle.parse(JSON.parse(new TextDecoder().decode(await ctx.store.get(key.data))));
    if (!bundle.files['model.json']) throw new Error('training.importedModel: the bundle has no model.json');
    const dir = path.join(ctx.scratchDir, 'import');
    await mkdir(dir, { recursive: true });
    for (const [name, b64] of Object.entries(bundle.files)) await writeFile(path.join(dir, name), Buffer.from(b64, 'base64'));
    const nn = await import('../nn');
    const backend = await nn.chooseBackend({ log: (m: string) => ctx.log(m) });
    const model = await nn.loadModel(folderFiles(dir), { inputSize: config.render.sizePx, numClasses: config.faces.identities });
    const layers = model.layers.length;
    model.dispose();
    await putModelDir(ctx, dir);
    return { backend: backend.name, layers, inputSize: config.render.sizePx, classes: config.faces.identities };
  },
});
