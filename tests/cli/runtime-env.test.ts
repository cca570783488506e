import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { applyRuntimeEnv } from '@/workers/functions/runtime-env';
import { kernelThreads, setKernelThreads } from '@/workers/info/gemm';
import { chooseBackend, configureBackend } from '@/workers/nn';
import { simdKernels } from '@/workers/nn/kernels/simd';
import type { WasmBackendLike } from '@/workers/nn/kernels/wasm-heap';

describe('applyRuntimeEnv (the entries read the environment; the libraries keep defaults)', () => {
  const before = kernelThreads();
  afterAll(() => setKernelThreads(before));
  it('passes DEEPER_INFO_KERNEL_THREADS to info and leaves the default without it', async () => {
    setKernelThreads(1);
    await applyRuntimeEnv({});
    expect(kernelThreads()).toBe(1);
    await applyRuntimeEnv({ DEEPER_INFO_KERNEL_THREADS: '2' });
    expect(kernelThreads()).toBe(2);
    await applyRuntimeEnv({ DEEPER_INFO_KERNEL_THREADS: '7' });
    expect(kernelThreads()).toBe(2);
    await applyRuntimeEnv({ DEEPER_INFO_KERNEL_THREADS: '1' });
    expect(kernelThreads()).toBe(1);
  });
  it('passes DEEPER_WASM_THREADS and DEEPER_NN_NO_SIMD to nn (configureBackend)', async () => {
    await applyRuntimeEnv({ DEEPER_WASM_THREADS: '1', DEEPER_NN_NO_SIMD: '1' });
    try {
      const b = await chooseBackend({ prefer: ['wasm'], log: () => {} });
      expect(b.threads).toBe(1);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      expect(simdKernels(tf.backend() as unknown as WasmBackendLike)).toBeNull();
      expect(String(err.mock.calls[0]?.[0])).toMatch(/disabled by configureBackend\(\{ simd: false \}\)/);
      err.mockRestore();
    } finally {
      configureBackend({});
    }
  });
});
