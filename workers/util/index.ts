/**
 * Utilities shared by every workers/ package (issue 18 item 1): seeded RNGs, the Jacobi eigen-solver,
 * Cholesky and log-determinants, sha256, atomic file writes. A leaf: it imports no other workers/
 * package (.dependency-cruiser.cjs `workers-util-is-a-leaf`); other packages import it through
 * this index.
 */
export { mulberry32, hashInts, gaussian, fillGaussian, Xoshiro128, type UniformSource } from './random';
export { jacobiEigen, choleskyInto, cholesky, halfLogDet, logDetFromPivots, forwardSolve, type CholeskyOptions } from './linalg';
export { sha256Hex, sourceDigest } from './hash';
export {
  folderFiles, folderFilesSync, stagedFolderSync, writeFileAtomic, writeFileAtomicSync,
  type AtomicWriteOptions, type FolderFiles, type StagedFolder, type SyncFolderFiles,
} from './files';
