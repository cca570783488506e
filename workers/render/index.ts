/** Public API of the renderer (workers/render). */
export { Rasterizer, toUint8, type RenderOutput } from './rasterizer';
export { BasisKernel } from './basis-kernel';
export { renderOptionsSchema, resolveRenderOptions, type RenderOptions, type RenderOptionsInput, type Background } from './options';
export { poseMatrix, focalLengthPx, lightDirection, CAMERA_DISTANCE_MM, FIELD_OF_VIEW_MM } from './camera';
export { StimulusRenderer, renderStimulus, identityGeometry, prepareRenderOptions, type FaceGeometry } from './stimulus';
export { encodePng, writePng, tileImages } from './png';
export { pixelsToVertices, type VertexMap } from './attribution';
export { buildDataset } from './dataset-build';
export { listShards, readShard, type DatasetFiles, type ShardRef } from './dataset-format';
