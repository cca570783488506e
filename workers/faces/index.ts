/** Public API of the face model library (workers/faces). See README.md in this folder. */
export type { FaceModel, DemographicSpec } from './model';
export { validateFaceModel, orthonormalityError, basisRow } from './model';
export { encodeFaceModel, decodeFaceModel } from './format';
export { loadDefaultFaceModel, buildDefaultFaceModel, DEFAULT_MODEL_NAME } from './default-model';
export type { Identity, Demographics, IdentityDesignOptions, IdentitySum, BasisTerm } from './identity';
export {
  sampleIdentities, sampleIdentity, demographicNorm, demographicVector, cloneIdentity, scaleIdentity, morphIdentity,
  addCoefficientNoise, applyExpression, identityPositions, identityAlbedo, identitySum, applyIdentitySum,
} from './identity';
export { computeVertexNormals, buildAdjacency, smoothField } from './meshops';
export { createRng, hashInts, gaussian } from './seeded-rng';
export { BUILTIN_FACE_MODELS, BUILTIN_FACE_MODEL_ALIASES, isBuiltinFaceModel, loadBuiltinFaceModel, type BuiltinFaceModelName } from './builtins';
export { loadIctFaceModel, buildIctFaceModel, ICT_MODEL_NAME } from './ict/ict-model';
export { ACTION_UNITS, EMOTIONS, EMOTION_AUS, emotionWeights, type Emotion } from './ict/expressions';
