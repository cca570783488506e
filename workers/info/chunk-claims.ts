/**
 * The calling thread's side of a block of rows shared with one helper thread (gemm-threads.ts,
 * screen-threads.ts): both claim chunks of the block in turn (work stealing on an atomic counter),
 * so a helper that gets no core costs at most the chunk it holds.
 *
 * Shared control words (Int32Array over a SharedArrayBuffer): SEQ block number (−1: stop); NB
 * responses in the block; CLAIM (SEQ & 0x7fff) << 16 | next chunk, claimed by compare-and-swap so
 * that a claim can never land in another block; DONE chunks finished. Users may add words after
 * DONE (gemm-threads.ts: READY).
 */
export const SEQ = 0;
export const NB = 1;
export const CLAIM = 2;
export const DONE = 3;

/**
 * Publishes block `seq` (with `nb` responses) to the helper, runs `own(c)` on every chunk this
 * thread claims, then waits for the helper's last chunk; a helper that makes no progress for a
 * minute (it cannot, short of a crash) fails the block with the message `stalled`.
 * Returns the number of chunks the helper did.
 */
export function shareChunks(ctl: Int32Array, seq: number, nb: number, chunks: number, own: (chunk: number) => void, stalled: string): number {
  Atomics.store(ctl, NB, nb);
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, CLAIM, (seq & 0x7fff) << 16);
  Atomics.store(ctl, SEQ, seq);
  Atomics.notify(ctl, SEQ);
  let mine = 0;
  for (;;) {
    const v = Atomics.load(ctl, CLAIM);
    if ((v & 0xffff) >= chunks) break;
    if (Atomics.compareExchange(ctl, CLAIM, v, v + 1) !== v) continue;
    own(v & 0xffff);
    mine++;
    Atomics.add(ctl, DONE, 1);
  }
  let last = Atomics.load(ctl, DONE);
  for (let since = Date.now(), d = last; d < chunks; d = Atomics.load(ctl, DONE)) {
    if (d !== last) [last, since] = [d, Date.now()];
    else if (Date.now() - since > 60_000) throw new Error(stalled);
    Atomics.wait(ctl, DONE, d, 20);
  }
  return chunks - mine;
}

/**
 * The helper thread's side, as JavaScript source for an eval'd worker (which has `ctl` and
 * `chunks` in scope): waits for each new block, then claims chunks of it until none is left,
 * running `firstClaim` once per block before its first chunk and `onChunk` (with r0, r1: the
 * chunk's rows, nb: the block's responses) on each.
 */
export function helperLoopSource(onChunk: string, firstClaim = ''): string {
  return `
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  const seq = Atomics.load(ctl, ${SEQ});
  if (seq < 0) break;
  seen = seq;
  const nb = Atomics.load(ctl, ${NB});
  let claimed = false;
  for (;;) {
    const v = Atomics.load(ctl, ${CLAIM});
    if (v >>> 16 !== (seq & 0x7fff) || (v & 0xffff) >= chunks) break;
    if (Atomics.compareExchange(ctl, ${CLAIM}, v, v + 1) !== v) continue;
    if (!claimed) { claimed = true; ${firstClaim} }
    const r0 = (v & 0xffff) * chunk, r1 = Math.min(rows, r0 + chunk);
    ${onChunk}
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;
}
