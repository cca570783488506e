/**
 * workers/info: the information-theory engine. Every quantity is in bits. Gaussian-copula MI
 * (GCMI; Ince, Giordano, Kayser, Rousselet, Gross, Schyns 2017, Human Brain Mapping 38:1541),
 * written from the published formulas; names follow the reference (copnorm, ent_g → entG, ...).
 *
 * Layouts
 *   Continuous variable (`Continuous`): Float64Array/number[] (one dimension), number[][]
 *     [dim][trial], or Samples {data: Float64Array [dim][trial], dims, trials}.
 *   Discrete variable (`Discrete`): Int32Array/number[] of labels 0..K−1, one per trial.
 *   Map: x Float64Array [variable][dim][trial]; y Float64Array [trial] or Int32Array [trial].
 *
 * Single quantities (bias corrected by default where the reference has the option)
 *   copnorm(x: Float64Array, rows = 1, trials = x.length / rows, out?, repeated?): Float64Array
 *     ranks (ties in sample order) → normal scores ndtri(r/(N+1)), row by row
 *   entG(x, {biasCorrect?, demeaned?}): number                    entropy of a Gaussian fit
 *   miGG(x, y, opts), cmiGGG(x, y, z, opts): number               Gaussian (conditional) MI
 *   miModelGD(x, y, K, opts), miMixtureGD(x, y, K): number        Gaussian x, discrete y
 *   gcmiCC(x, y), gcmiModelCD(x, y, K), gcmiMixtureCD(x, y, K): number   copula versions
 *   gccmiCCC(x, y, z): number; gccmiCCD(x, y, z, K): {cmi, mi}    conditional GCMI
 *   coinformation(x1, x2, y, K?): number                          < 0 redundancy, > 0 synergy
 *   pidMMI(x1, x2, y, K?): {redundancy, unique1, unique2, synergy}
 *   coinformationFLD(f, l, d, K?): {coinfo = I(F;L) − I(F;L|D), miFL, cmiFLgivenD, kind}   > 0 redundancy, < 0 synergy
 *   coinformationTest(f, l, d, {k, permutations, seed}): + two-sided permutation p (D shuffled); coinfo.ts
 *
 * Maps (InformationMap: one MI value per variable, e.g. per vertex)
 *   gcmiMapCC(x, nVar, nDim, nTrial, y: Float64Array, {copnorm?, biasCorrect?, demeaned?}): Float64Array
 *   gcmiMapCD(x, nVar, nDim, nTrial, y: Int32Array, K, opts): Float64Array
 *   gcmiMapCCParallel / gcmiMapCDParallel(same…, {threads?}): Promise<Float64Array>   split by variable
 *     over worker_threads (identical values; 'auto' = 1 thread below 4 cores, see map-threads.ts)
 *
 * Permutation statistics (family-wise error by the maximum statistic over variables)
 *   permutationMaxStat({x, nVar, nDim, nTrial, y, k?, nPerm, seed = 1, alpha = 0.05, copnorm = true,
 *                       biasCorrect = true, statistic?, threads = 'auto'}): Promise<PermutationResult>
 *   permutationMaxStatSync(same): PermutationResult              on the calling thread
 *     → {mi, statistic, maxNull, threshold, pFwer, mask, alpha, nPerm, seed}
 *     y Float64Array → continuous; y Int32Array with k → discrete. statistic: {type: 'mi'} (default),
 *     {type: 'tfce', adjacency, options?} or {type: 'clusterMass', adjacency, threshold}.
 *     The null never re-runs the map: x is copula-normalised and whitened once, and each block of
 *     24 permutations is one matrix product (WebAssembly SIMD kernel, JavaScript fallback).
 *   maxStatInference(stat, maxNull, alpha): {threshold, pFwer, mask}
 *   fwerThreshold(maxNull, alpha): the one FWER threshold (rank floor(alpha·(P+1)) with 1e-9
 *     tolerance; +∞ when P < 1/alpha − 1; NaN maxima count as +∞; significant means strictly above)
 *
 * Chunked maps (the analyses' reverse-correlation maps, vertex chunk by chunk; info/chunked.ts)
 *   copnormChunk(x [nVar][nDim][nTrial], nVar, nDim, nTrial): copula-normalised chunk
 *   chunkNull(cx, nVar, nDim, nTrial, response, P, seed, threads): {observed [nVar] bits, maxNull [P]}
 *     the same (seed, P, nTrial) gives every chunk the same permutations: maxima combine exactly
 *   tfceMap(x, vertices, nDim, nTrial, response, P, seed, alpha, triangles, vertexCount): TFCE + FWER
 *
 * Population prevalence (Ince, Paton, Kay, Schyns 2021): bayesianPrevalence(k, n, {alpha, beta = 1, credibility = 0.95})
 *   → {map, hpdi, lowerBound, posteriorMean}; prevalenceMap(masks [P][V], opts) per variable
 *
 * TFCE (E = 0.5, H = 2, 100 steps, dh = max/steps) and cluster mass
 *   meshAdjacency(triangles [tri][3], nVertices), gridAdjacency(rows, cols, 4 | 8): Adjacency
 *   tfceMesh(values, triangles | Adjacency, {E?, H?, steps?, weights?}): Float64Array
 *   tfceGrid(values [row][col], rows, cols, {connectivity?, ...}): Float64Array
 *   tfce(values, adjacency, opts); clusterMass(values, adjacency, threshold): {labels, masses, vertexMass}
 *
 * Errors name the bad argument (mismatched lengths, too few trials for the dimension, empty
 * classes, constant variables, NaN/infinity); more than 10% repeated values in a variable calls the
 * warning handler (setWarningHandler; console.warn by default). In maps a variable with a constant
 * dimension gets NaN (and a warning) instead of failing the whole map.
 *
 * The WebAssembly kernel (gemm.c → gemm-wasm.ts, rebuilt by build-gemm-wasm.sh with clang-14) is
 * committed as base64, so nothing is compiled at install time. The permutation test (one thread,
 * continuous y) builds its null model chunk by chunk of variables straight into the float32 kernel
 * (no float64 copy of the map), and a finished test leaves the kernel's wasm memory to the next
 * one of the process (gemm.ts, release): fresh memory faults on first touch and was the largest
 * cost of a whole job.
 */
export { ndtri, digamma } from './special';
export { copnorm, copnormRow, normalScores } from './copnorm';
export { entG, miGG, cmiGGG, entropyBias, type GaussianOptions } from './gaussian';
export { miModelGD, miMixtureGD } from './discrete';
export { gcmiCC, gcmiModelCD, gcmiMixtureCD, gccmiCCC, gccmiCCD } from './gcmi';
export { coinformation, pidMMI, pidFromInfo, sourcesInfo, type PID, type SourcesInfo } from './synergy';
export { gcmiMapCC, gcmiMapCD, type MapOptions } from './map';
export { gcmiMapCCParallel, gcmiMapCDParallel, type ParallelMapOptions } from './map-threads';
export { chunkNull, copnormChunk, tfceMap, type ChunkNull, type TfceMap, type MapResponse } from './chunked';
export { miGGSamples } from './gaussian';
export { miModelGDSamples } from './discrete';
export { setKernelThreads } from './gemm';
export { setWarningHandler, type Samples, type Continuous, type Discrete } from './validate';
export { verifyVectors } from './verify';
export {
  permutationMaxStat, permutationMaxStatSync, maxStatInference, fwerThreshold, permutations, type PermutationInput, type PermutationResult,
} from './permutation';
export { type StatisticSpec } from './nullmodel';
export { tfce, tfceMesh, tfceGrid, meshAdjacency, gridAdjacency, clusterMass, type Adjacency, type TfceOptions } from './tfce';
export { Rng } from './permutation-rng';
export { bayesianPrevalence, prevalenceMap, prevalenceLogPosterior, type Prevalence, type PrevalenceOptions } from './prevalence';
export {
  coinformationFLD, coinformationTest, permutationTestOfD, gaussianCoinformation, gccmiGivenDiscrete, gccmiGivenContinuous, classCopulas, gccmiFromClassCopulas,
  type Coinformation, type CoinformationTest,
} from './coinfo';
