/** workers/nn: the identity network (ResNet-10) in TensorFlow.js: backend, build, train, predict, import/export. */
export { chooseBackend, configureBackend, currentBackend, type BackendDefaults, type BackendInfo, type BackendName } from './backend';
export { buildResNet10, describeResNet10, activationShape, resNet10Widths, LAYER_NAMES, type LayerName, type ResNet10Config } from './resnet10';
export { arraySource, shardSource, augmentBatch, type DataSource, type LabelledImages, type Batch, type Augment } from './data';
export { train, evaluate, learningRateAt, TrainOptionsSchema, type TrainOptions, type TrainHooks, type TrainProgress, type TrainResult } from './train';
export { predict, Predictor, batchSizeForBudget, type Prediction, type PredictOptions, type Activation } from './predict';
export { saveModel, loadModel, checkModel, modelFilesHandler, type ImportExpectations } from './io';
export { loadLatestCheckpoint, type EpochRecord } from './checkpoint';
