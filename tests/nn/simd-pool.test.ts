/**
 * The helper threads of kernels/simd-pool.ts: filter_grad (wasm/filter-grad.c), winograd_conv (wasm/winograd.c),
 * winograd_filter_grad (wasm/winograd-grad.c), direct_conv (wasm/direct-conv.c) and direct_filter_grad (wasm/direct-grad.c) run on a helper
 * thread over a shared memory gives the same result as on this thread, and both match a direct sum.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimdPool, simdPoolJobsTakenBack, splitParts, vectorRanges, MIN_ELEMENTS_TO_SPLIT } from '../../workers/nn/kernels/simd-pool';

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

  it('splits winograd_filter by input channels: a helper\'s part plus this thread\'s equal the whole transform (plain and flipped)', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
      winograd_filter(w: number, C: number, CO: number, m: number, flip: number, U: number): void;
      winograd_filter_part(w: number, C: number, CO: number, m: number, flip: number, U: number, c0: number, c1: number): void;
    };
    const pool = createSimdPool(module, memory, 1);
    const [C, CO] = [20, 12], wOff = 1024, f = new Float32Array(memory.buffer);
    for (let i = 0; i < 9 * C * CO; i++) f[wOff / 4 + i] = Math.cos(0.23 * i);
    for (const m of [2, 4]) for (const flip of [0, 1]) {
      // The flipped transform reads the forward filter [3][3][CO'][C'] with C' = CO, CO' = C: the same buffer.
      const [c, co] = flip ? [CO, C] : [C, CO];
      const n = (m + 2) ** 2 * ((co + 7) & ~7) * c, uA = wOff + 4 * 9 * C * CO, uB = uA + 4 * n;
      f.fill(-1, uA / 4, uB / 4 + n);
      e.winograd_filter(wOff, c, co, m, flip, uA);
      pool.start(0, 'winograd_filter_part', [wOff, c, co, m, flip, uB, 8, c]);
      e.winograd_filter_part(wOff, c, co, m, flip, uB, 0, 8);
      pool.wait(0);
      expect(Array.from(f.subarray(uB / 4, uB / 4 + n))).toEqual(Array.from(f.subarray(uA / 4, uA / 4 + n)));
    }
  });

  it('runs winograd_conv on a helper thread: its half of the tiles equals this thread\'s whole run', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
      winograd_conv(...a: number[]): void; winograd_scratch(C: number, CO: number, m: number): number;
      winograd_filter(w: number, C: number, CO: number, m: number, flip: number, U: number): void;
    };
    const [N, H, W, C, CO, m] = [3, 9, 7, 8, 12, 4];
    const tiles = N * Math.ceil(H / m) * Math.ceil(W / m), half = Math.floor(tiles / 2);
    const a2 = (m + 2) ** 2, CO8 = 16, ys = N * H * W * CO;
    const xOff = 1024, wOff = xOff + 4 * N * H * W * C, uOff = wOff + 4 * 9 * C * CO, bOff = uOff + 4 * a2 * CO8 * C;
    const yA = bOff + 4 * CO, yB = yA + 4 * ys, sA = yB + 4 * ys, sB = sA + 4 * (e.winograd_scratch(C, CO, m) + 4);
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < N * H * W * C; i++) f[xOff / 4 + i] = Math.sin(0.37 * i);
    for (let i = 0; i < 9 * C * CO; i++) f[wOff / 4 + i] = Math.cos(0.11 * i) / 9;
    for (let i = 0; i < CO; i++) f[bOff / 4 + i] = 0.1 * i;
    e.winograd_filter(wOff, C, CO, m, 0, uOff);
    const args = (y: number, t0: number, t1: number, scratch: number) => [xOff, H, W, C, uOff, bOff, CO, m, 1, 0, y, t0, t1, scratch];
    e.winograd_conv(...args(yA, 0, tiles, sA));
    const pool = createSimdPool(module, memory, 1);
    pool.start(0, 'winograd_conv', args(yB, half, tiles, sB));
    e.winograd_conv(...args(yB, 0, half, sA));
    pool.wait(0);
    const a = new Float32Array(memory.buffer, yA, ys), b = new Float32Array(memory.buffer, yB, ys);
    expect(Array.from(b)).toEqual(Array.from(a));
    // Against a direct sum ('same' padding, ReLU).
    let worst = 0;
    for (let n = 0; n < N; n++) for (let oy = 0; oy < H; oy++) for (let ox = 0; ox < W; ox++) for (let co = 0; co < CO; co++) {
      let sum = f[bOff / 4 + co];
      for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
        const iy = oy + kh - 1, ix = ox + kw - 1;
        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
        for (let c = 0; c < C; c++) sum += f[xOff / 4 + ((n * H + iy) * W + ix) * C + c] * f[wOff / 4 + ((kh * 3 + kw) * C + c) * CO + co];
      }
      worst = Math.max(worst, Math.abs(Math.max(sum, 0) - a[((n * H + oy) * W + ox) * CO + co]) / (1 + Math.abs(sum)));
    }
    expect(worst).toBeLessThan(1e-4);
    expect(a.some((v) => v !== 0)).toBe(true);
  });

  it('runs winograd_filter_grad on a helper thread: the same partial sum as on this thread', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
      winograd_filter_grad(...a: number[]): void; winograd_grad_scratch(C: number, CO: number, m: number): number;
    };
    const [N, H, W, C, CO, m] = [3, 9, 7, 8, 12, 4];
    const tiles = N * Math.ceil(H / m) * Math.ceil(W / m), half = Math.floor(tiles / 2), K = 9 * C * CO;
    const xOff = 1024, dyOff = xOff + 4 * N * H * W * C, dwA = dyOff + 4 * N * H * W * CO, dwB = dwA + 4 * K, dwC = dwB + 4 * K;
    const sA = dwC + 4 * K, sB = sA + 4 * (e.winograd_grad_scratch(C, CO, m) + 4);
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < N * H * W * C; i++) f[xOff / 4 + i] = Math.sin(0.37 * i);
    for (let i = 0; i < N * H * W * CO; i++) f[dyOff / 4 + i] = Math.cos(0.11 * i);
    const args = (dw: number, t0: number, t1: number, scratch: number) => [xOff, dyOff, H, W, C, CO, m, t0, t1, dw, scratch];
    const pool = createSimdPool(module, memory, 1);
    pool.start(0, 'winograd_filter_grad', args(dwB, half, tiles, sB));
    e.winograd_filter_grad(...args(dwA, 0, half, sA));
    pool.wait(0);
    e.winograd_filter_grad(...args(dwC, half, tiles, sA));
    const b = new Float32Array(memory.buffer, dwB, K), c = new Float32Array(memory.buffer, dwC, K);
    expect(Array.from(b)).toEqual(Array.from(c));
    // Both halves together against a direct sum.
    const a = new Float32Array(memory.buffer, dwA, K);
    let worst = 0;
    for (let k = 0; k < 9; k++) for (let ci = 0; ci < C; ci++) for (let co = 0; co < CO; co++) {
      const kh = Math.floor(k / 3), kw = k % 3;
      let sum = 0;
      for (let n = 0; n < N; n++) for (let oy = 0; oy < H; oy++) for (let ox = 0; ox < W; ox++) {
        const iy = oy + kh - 1, ix = ox + kw - 1;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) sum += f[xOff / 4 + ((n * H + iy) * W + ix) * C + ci] * f[dyOff / 4 + ((n * H + oy) * W + ox) * CO + co];
      }
      const i = (k * C + ci) * CO + co;
      worst = Math.max(worst, Math.abs(sum - (a[i] + b[i])) / (1 + Math.abs(sum)));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('runs direct_conv and direct_filter_grad on a helper thread: the same bits as on this thread, and a direct sum', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as {
      direct_conv(...a: number[]): void; direct_scratch(...a: number[]): number; direct_pack(...a: number[]): void;
      direct_filter_grad(...a: number[]): void; direct_grad_scratch(...a: number[]): number;
    };
    const [N, H, W, C, CO, k, s, pad] = [2, 13, 11, 3, 12, 7, 2, 3];
    const OH = Math.floor((H + 2 * pad - k) / s) + 1, OW = Math.floor((W + 2 * pad - k) / s) + 1, K = k * k * C, rows = N * OH;
    const xOff = 1024, wOff = xOff + 4 * N * H * W * C, pOff = wOff + 4 * K * CO, yA = pOff + 4 * K * 16, yB = yA + 4 * rows * OW * CO;
    const dwA = yB + 4 * rows * OW * CO, dwB = dwA + 4 * K * CO, sA = dwB + 4 * K * CO;
    const sB = sA + 4 * (Math.max(e.direct_scratch(C, OW, k, k, s), e.direct_grad_scratch(C, CO, k, k, OW, s)) + 4);
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < N * H * W * C; i++) f[xOff / 4 + i] = Math.sin(0.37 * i);
    for (let i = 0; i < K * CO; i++) f[wOff / 4 + i] = Math.cos(0.11 * i);
    e.direct_pack(wOff, K, CO, pOff);
    const half = Math.floor(rows / 2);
    const conv = (y: number, r0: number, r1: number, scratch: number) => [xOff, H, W, C, pOff, 0, CO, k, k, s, s, pad, pad, OH, OW, 0, y, CO, OW * CO, OH * OW * CO, r0, r1, scratch];
    const pool = createSimdPool(module, memory, 1);
    pool.start(0, 'direct_conv', conv(yB, half, rows, sB));
    e.direct_conv(...conv(yB, 0, half, sA));
    pool.wait(0);
    e.direct_conv(...conv(yA, 0, rows, sA));
    const ya = new Float32Array(memory.buffer, yA, rows * OW * CO), yb = new Float32Array(memory.buffer, yB, rows * OW * CO);
    expect(Array.from(yb)).toEqual(Array.from(ya));
    // The filter gradient of this convolution with dy = y: helper and this thread, same rows, same bits.
    const grad = (dw: number, scratch: number) => [xOff, yA, H, W, C, OH, OW, CO, k, k, s, s, pad, pad, 0, rows, dw, scratch];
    pool.start(0, 'direct_filter_grad', grad(dwB, sB));
    e.direct_filter_grad(...grad(dwA, sA));
    pool.wait(0);
    const a = new Float32Array(memory.buffer, dwA, K * CO), b = new Float32Array(memory.buffer, dwB, K * CO);
    expect(Array.from(b)).toEqual(Array.from(a));
    let worstY = 0, worstW = 0;
    for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let co = 0; co < CO; co++) {
      let sum = 0;
      for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let ci = 0; ci < C; ci++) {
        const iy = oy * s + kh - pad, ix = ox * s + kw - pad;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) sum += f[xOff / 4 + ((n * H + iy) * W + ix) * C + ci] * f[wOff / 4 + ((kh * k + kw) * C + ci) * CO + co];
      }
      worstY = Math.max(worstY, Math.abs(sum - ya[((n * OH + oy) * OW + ox) * CO + co]) / (1 + Math.abs(sum)));
    }
    for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let ci = 0; ci < C; ci++) for (let co = 0; co < CO; co++) {
      let sum = 0;
      for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        const iy = oy * s + kh - pad, ix = ox * s + kw - pad;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) sum += f[xOff / 4 + ((n * H + iy) * W + ix) * C + ci] * ya[((n * OH + oy) * OW + ox) * CO + co];
      }
      worstW = Math.max(worstW, Math.abs(sum - a[((kh * k + kw) * C + ci) * CO + co]) / (1 + Math.abs(sum)));
    }
    expect(worstY).toBeLessThan(1e-5);
    expect(worstW).toBeLessThan(1e-5);
  });

  it('runs the batch-norm position parts on a helper thread: same bits as this thread, stats match a direct sum', () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Record<'bn_part_stats' | 'bn_grad_sums' | 'bn_apply', (...a: number[]) => void>;
    const [M, C] = [3000, 12], half = 1400;  // 3,000 rows: bn_part_stats takes chunks of 1,344 rows at 12 channels
    const xOff = 1024, yOff = xOff + 4 * M * C, dyOff = yOff + 4 * M * C, pOff = dyOff + 4 * M * C;  // p: mean, istd, scale, shift (C floats each)
    const oA = pOff + 16 * C + 64, oB = oA + 16 * C, sA = oB + 16 * C, sB = sA + 32 * C;
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < M * C; i++) { f[xOff / 4 + i] = 2 + Math.sin(0.37 * i); f[dyOff / 4 + i] = Math.cos(0.11 * i); }
    for (let c = 0; c < C; c++) { f[pOff / 4 + c] = 2; f[pOff / 4 + C + c] = 1.5; f[pOff / 4 + 2 * C + c] = 0.5 + c; f[pOff / 4 + 3 * C + c] = -1; }
    const pool = createSimdPool(module, memory, 1);
    const rows = (o: number, m0: number) => o + 4 * m0 * C;
    // Rows [half, M) on the helper and on this thread: the same bits.
    pool.start(0, 'bn_part_stats', [rows(xOff, half), M - half, C, C, oB, sB]);
    e.bn_part_stats(rows(xOff, half), M - half, C, C, oA, sA);
    pool.wait(0);
    const d = (o: number) => Array.from(new Float64Array(memory.buffer, o, 2 * C));
    expect(d(oB)).toEqual(d(oA));
    for (let c = 0; c < C; c++) {
      let sum = 0, sq = 0;
      for (let m = half; m < M; m++) sum += f[xOff / 4 + m * C + c];
      const mean = sum / (M - half);
      for (let m = half; m < M; m++) sq += (f[xOff / 4 + m * C + c] - mean) ** 2;
      expect(Math.abs(d(oA)[c] - mean)).toBeLessThan(1e-6);
      expect(Math.abs(d(oA)[C + c] - sq) / sq).toBeLessThan(1e-5);
    }
    pool.start(0, 'bn_apply', [rows(xOff, half), M - half, C, C, pOff + 8 * C, pOff + 12 * C, 1, rows(yOff, half)]);
    e.bn_apply(xOff, half, C, C, pOff + 8 * C, pOff + 12 * C, 1, yOff);
    pool.wait(0);
    for (let m = 0; m < M; m += 97) for (let c = 0; c < C; c++) {
      expect(f[yOff / 4 + m * C + c]).toBe(Math.max(0, Math.fround(Math.fround(f[xOff / 4 + m * C + c] * (0.5 + c)) - 1)));
    }
    pool.start(0, 'bn_grad_sums', [rows(dyOff, half), rows(yOff, half), rows(xOff, half), M - half, C, C, pOff, pOff + 4 * C, 1, oB, sB]);
    e.bn_grad_sums(rows(dyOff, half), rows(yOff, half), rows(xOff, half), M - half, C, C, pOff, pOff + 4 * C, 1, oA, sA);
    pool.wait(0);
    expect(d(oB)).toEqual(d(oA));
    expect(d(oA).some((v) => v !== 0)).toBe(true);
  });

  it('runs every job exactly once when the caller takes jobs back from a helper that has not started them', async () => {
    const file = fileURLToPath(new URL('../../workers/nn/wasm/kernels-shared.wasm', import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
    const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as { add_into(dst: number, src: number, n: number): void };
    const n = 1000, dst = 1024, src = dst + 4 * n;
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < n; i++) { f[dst / 4 + i] = 0; f[src / 4 + i] = i; }
    const pool = createSimdPool(module, memory, 1);
    const before = simdPoolJobsTakenBack();
    let jobs = 0;
    const job = (takeBack: boolean) => {
      pool.start(0, 'add_into', [dst, src, n]);
      pool.wait(0, takeBack ? () => e.add_into(dst, src, n) : undefined);
      jobs++;
    };
    job(true);  // the helper is still starting (a new worker): taken back
    expect(simdPoolJobsTakenBack()).toBe(before + 1);
    job(false);  // waits for the helper
    for (let k = 0; k < 200; k++) {
      job(true);
      if (k % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    job(false);
    await new Promise((r) => setTimeout(r, 50));  // a helper waking late must not run a taken-back job again
    for (let i = 0; i < n; i += 37) expect(f[dst / 4 + i]).toBe(jobs * i);
  });

  it('splits element ranges into whole SIMD vectors that cover the tensor once', () => {
    expect(splitParts(2, MIN_ELEMENTS_TO_SPLIT - 1)).toBe(1);
    expect(splitParts(2, MIN_ELEMENTS_TO_SPLIT)).toBe(2);
    expect(splitParts(2, 10, 3)).toBe(3);
    for (const [size, parts] of [[65536, 2], [1001, 3], [4099, 4], [7, 1], [100_003, 5]]) {
      const r = vectorRanges(size, parts);
      expect(r.length).toBe(parts);
      expect(r[0][0]).toBe(0);
      expect(r[parts - 1][1]).toBe(size);
      for (let i = 0; i < parts; i++) {
        if (i > 0) expect(r[i][0]).toBe(r[i - 1][1]);
        if (i < parts - 1) expect(r[i][1] % 4).toBe(0);
        expect(Math.abs(r[i][1] - r[i][0] - size / parts)).toBeLessThanOrEqual(4);
      }
    }
  });
});
