import { afterAll, describe, expect, it } from 'vitest';
import { applyRuntimeEnv } from '@/workers/functions/runtime-env';
import { kernelThreads, setKernelThreads } from '@/workers/info/gemm';

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
});
