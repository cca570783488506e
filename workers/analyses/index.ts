/**
 * Public API of the analyses (workers/analyses). See README.md in this folder. Other workers
 * packages import values through this file; `import type` may reach inside. Loading it loads
 * tfjs (nn-adapter): worker threads that must stay light import the modules they need by type only.
 */
export type { Network, LayerActivation, Prediction } from './network';
export { loadNetwork, networkFromModel, defaultLayers } from './nn-adapter';
export { generalisation, GENERALISATION_DEFAULTS, MANIPULATIONS, type GeneralisationOptions, type GeneralisationResult } from './generalisation';
export { reverseCorrelation, REVERSE_CORRELATION_DEFAULTS, type ReverseCorrelationOptions, type ReverseCorrelationResult } from './reverse-correlation';
export { hiddenLayers, type HiddenLayersOptions, type HiddenLayersResult } from './hidden-layers';
export { poseInvariance, type PoseInvarianceOptions, type PoseInvarianceResult } from './pose-invariance';
export {
  runBattery, batteryConfigFromExperiment, targetIdentities, generalisationOptions, reverseCorrelationOptions, hiddenLayersOptions,
  poseInvarianceOptions, type BatteryConfig,
} from './battery';
export { runOracle, defaultOracleTrials, surfaceTfce, DEFAULT_PLANTED_R2, MAX_ORACLE_TRIALS, type OracleConfig, type OracleResult, type OracleKind } from './oracle';
export { analyticOracleMap, mapCorrelation, type AnalyticMap } from './oracle-truth';
export { DEFAULT_BUBBLES, DEFAULT_TEXTURE_BAND_OCTAVES, textureBandSigmasMm, type BubbleOptions } from './bases/bubbles';
export {
  BundleWriter, type BundleSink, mapSummary, significantOnFace, generalisationSummary, reverseCorrelationSummary, hiddenLayersSummary, poseInvarianceSummary,
} from './bundle';
export { informationMap, informationMaps, type FweMap, type MapFeatures, type Response } from './maps';
export { drawNoise, NOISE_BASES, NOISE_DESIGNS, DEFAULT_NOISE_DESIGN, canonicalBasis, type NoiseBasis, type NoiseDesign, type NoiseSpec, type TrialNoise } from './noise';
export { resolveRegion } from './regions';
export { mapAgreement, type MapAgreement } from './map-agreement';
export { targetLogit } from './attributions';
export { attributionMaps, attributionOptions, ATTRIBUTION_UNIT, AGREEMENT_TOP_FRACTION, type AttributionsConfig } from './attribution-maps';
export { meshAttributions, ATTRIBUTION_METHODS, MESH_ATTRIBUTION_DEFAULTS, type AttributionMethod } from './attribution-mesh';
export { parseHumanTrialsCsv, humanTrialsCsv, dataDictionary } from './human/export';
export { trialTable, type TrialTable } from './human/table';
export { humanGeneralisation } from './human/generalisation';
export { humanMaps } from './human/reverse-correlation';
export { humanCurveCsvFromTrials } from './human/curve-csv';
export { curvesBeside, mapsBeside } from './human/beside';
// issue 15: the generalisation step also stores its graded stimuli as images for human sessions.
export { manipulate } from './generalisation';
export { StimulusRenderer as AnalysisStimulusRenderer, renderOptionsFor } from './stimuli';
export { NoiseTrialRenderer } from './trials';
export { baselineFor, trainBaselineObserver, renderBaselineTrainingSet, BaselineObserver, type BaselineOptions } from './baseline-observer';
export { drawMorphTargets, demographicGroup, type MorphScope } from './morph-targets';
export { bootstrapMean, identityScores, asymmetryPerIdentity, pairedDifference, levelSummary, type Interval, type LevelSummary } from './generalisation-stats';
export { significantVertices } from './battery';
export { rankDof } from './pose-invariance';
export { diagnosticVertices, MaxNull, permutedSamples } from './layer-stats';
export type { LayerCoinformation } from './hidden-layers';
export type { Asymmetry } from './generalisation';
