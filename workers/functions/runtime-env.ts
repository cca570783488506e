/**
 * The environment's settings for the compute libraries, read once by the process's entry
 * (workers/main.ts, workers/cli.ts, the test setup) and passed down: the libraries keep defaults
 * and never read process.env (workers/IO.md).
 *
 *   DEEPER_WASM_THREADS=n           threads of the wasm backend: XNNPACK's pool and our kernels' helpers (default: the core count, ≤ 8)
 *   DEEPER_NN_NO_SIMD=1             the hand-written SIMD kernels off (JS fallbacks)
 *   DEEPER_INFO_KERNEL_THREADS=2    the permutation kernel's work-stealing helper thread (default 1)
 *
 * nn and info are imported only when a setting is present, so light processes stay light.
 */
export async function applyRuntimeEnv(env: Record<string, string | undefined> = process.env): Promise<void> {
  const wasmThreads = Number(env.DEEPER_WASM_THREADS) || undefined;
  const noSimd = Boolean(env.DEEPER_NN_NO_SIMD);
  if (wasmThreads !== undefined || noSimd) (await import('../nn')).configureBackend({ threads: wasmThreads, simd: !noSimd });
  if (env.DEEPER_INFO_KERNEL_THREADS !== undefined) (await import('../info')).setKernelThreads(Number(env.DEEPER_INFO_KERNEL_THREADS));
}
