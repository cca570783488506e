/**
 * Public API of the face-model importers (workers/faces/importers), a separate entry from
 * workers/faces/index.ts because the Basel importer loads h5wasm: only the command line and the
 * import-model function need them.
 */
export { importBfm, type BfmImportOptions } from './bfm';
export { importIctFaceKit, type IctImportOptions, type IctSourceFiles } from './ict';
