/**
 * The helper threads of kernels/simd-pool.ts: filter_grad (wasm/filter-grad.c) run on a helper
 * thread over a shared memory gives the same result as on this thread, and both match a direct sum.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimdPool } from '../../workers/nn/kernels/simd-pool';

describe('simd pool', () => {
  it('runs filter_grad on a helper thread over shared memory', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
      filter_grad(...a: number[]): void; filter_grad_scratch(C: number, CO: number, kH: number, kW: number): number;
    };
    const [N, H, W, C, CO, k, s, pad] = [2, 13, 11, 6, 10, 3, 2, 1];
    const OH = Math.floor((H + 2 * pad - k) / s) + 1, OW = Math.floor((W + 2 * pad - k) / s) + 1;
    const xOff = 1024, dyOff = xOff + 4 * N * H * W * C, dwA = dyOff + 4 * N * OH * OW * CO;
    const K = k * k * C, dwB = dwA + 4 * K * CO, sA = dwB + 4 * K * CO, sB = sA + 4 * (e.filter_grad_scratch(C, CO, k, k) + 4);
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < N * H * W * C; i++) f[xOff / 4 + i] = Math.sin(0.37 * i);
    for (let i = 0; i < N * OH * OW * CO; i++) f[dyOff / 4 + i] = Math.cos(0.11 * i);
    const args = (dw: number, scratch: number) => [xOff, dyOff, H, W, C, OH, OW, CO, k, k, s, s, pad, pad, 0, N * OH * OW, dw, scratch];
    const pool = createSimdPool(module, memory, 1);
    pool.start(0, 'filter_grad', args(dwB, sB));
    e.filter_grad(...args(dwA, sA));
    pool.wait(0);
    const a = new Float32Array(memory.buffer, dwA, K * CO), b = new Float32Array(memory.buffer, dwB, K * CO);
    expect(Array.from(b)).toEqual(Array.from(a));
    let worst = 0;
    for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let ci = 0; ci < C; ci++) for (let co = 0; co < CO; co++) {
      let sum = 0;
      for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        const iy = oy * s + kh - pad, ix = ox * s + kw - pad;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) sum += f[xOff / 4 + ((n * H + iy) * W + ix) * C + ci] * f[dyOff / 4 + ((n * OH + oy) * OW + ox) * CO + co];
      }
      worst = Math.max(worst, Math.abs(sum - a[((kh * k + kw) * C + ci) * CO + co]) / (1 + Math.abs(sum)));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(a.some((v) => v !== 0)).toBe(true);
  });
});
