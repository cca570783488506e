import { ArtifactKey } from '../contract';
import { identitiesToJson } from './artifacts';
import { defineWorkerFunction } from './define';

/**
 * Step 1: the face model (built-in, or an imported model stored as an artifact whose sha256 key is
 * config.faces.model) and N identities balanced over gender × ethnicity × age (seeded).
 */
export const sampleIdentities = defineWorkerFunction({
  id: 'sample-identities',
  title: 'Sample identities',
  retries: 2,
  async run(ctx) {
    const faces = await import('../faces');
    const { config } = ctx.input;
    ctx.progress(0.05, `loading face model '${config.faces.model}'`);
    let model;
    if (faces.isBuiltinFaceModel(config.faces.model)) {
      model = faces.loadBuiltinFaceModel(config.faces.model);
    } else {
      const key = ArtifactKey.safeParse(config.faces.model);
      if (!key.success) throw new Error(`faces.model must be a built-in model (ict, procedural, default = procedural) or the sha256 key of an imported face model artifact, got '${config.faces.model}'`);
      model = faces.decodeFaceModel(await ctx.store.get(key.data), 'faces.model');
    }
    ctx.progress(0.5, `sampling ${config.faces.identities} identities (seed ${config.seed})`);
    const identities = faces.sampleIdentities(model, {
      count: config.faces.identities,
      seed: config.seed,
      // Unbalanced: one age bin over the whole range (ages drawn freely); gender and ethnicity still alternate.
      ...(config.faces.balanced ? {} : { ageBins: [model.demographics.ageRange] }),
    });
    await ctx.putArtifact('face-model.bin', faces.encodeFaceModel(model));
    await ctx.putJson('identities.json', identitiesToJson(identities));
    return {
      model: model.name ?? config.faces.model,
      vertices: model.vertexCount,
      shapeComponents: model.shapeSd.length,
      textureComponents: model.textureSd.length,
      identities: identities.length,
    };
  },
});
