import { createHash } from 'node:crypto';
import type { HumanSessionSettings, PlannedHumanTrial } from '../db/schema';
import type { HumanTrial } from '../../workers/contract';

/**
 * The participant's trial plan, built from the run's STORED stimuli only (the render step's
 * stimuli/<i>.png captioned by factors.json[i], and the generalisation step's graded images
 * human-stimuli/<i>.png captioned by human-factors.json[i]). Nothing is rendered in the web tier.
 *
 * A stored stimulus is one of:
 * - plain: factors {identity, yaw, ...} (what every rendered dataset stores): an image of a
 *   network class under extrinsic factors (pose, light, ...);
 * - graded: factors also carry {manipulation, level} (shape-only or texture-only change of an
 *   identity, workers/contract Manipulation): a generalisation stimulus;
 * - noise: factors also carry {noiseTrial} (index of the trial in the run's noise draw): a
 *   reverse-correlation stimulus.
 *
 * Blocks, in order:
 * 1. learning: for each of the first `identities` identities, its two most frontal plain images
 *    with the face's number shown (trials answered like the others: the number is the answer);
 * 2. test, shuffled per participant: graded stimuli of the learned identities (condition
 *    'generalisation') and the remaining plain images of the learned identities at other poses.
 *    The contract's 'generalisation' rows need a manipulation and a level, so unmanipulated pose
 *    changes are stored as condition 'learning' (recognition of a learned face at a new pose,
 *    label not shown);
 * 3. then the noise stimuli of learned identities (condition 'reverse-correlation', the run's
 *    human-rc/<i>.png), shuffled: the question is "Is this face N?" (N = the target's number),
 *    answered yes or no (participant.ts stores yes as the target, no as rcFoil(target));
 * 4. attention checks spread evenly through blocks 2–3: a learning image WITH its number shown
 *    (the answer is written on the screen), attention_check = true.
 * The plan is cut to settings.maxTrials (the per-participant cap): of the room left after learning
 * and checks, reverse correlation gets half (rounded up) when both kinds exist, and either kind
 * takes what the other leaves unused.
 */
export interface StoredStimulus {
  /** Artifact name: stimuli/<index>.png (render step), human-stimuli/<index>.png (generalisation step) or human-rc/<index>.png (reverse-correlation step). */
  name: string;
  /** Index into the factors file of the same step. */
  index: number;
  /** Artifact store key of the PNG. */
  key: string;
  identity: number;
  yawDeg: number | null;
  manipulation: HumanTrial['manipulation'];
  level: number | null;
  noiseTrial: number | null;
}

/** Deterministic uniform [0, 1) stream from a string seed (sha256 in counter mode). */
function randomStream(seed: string): () => number {
  let block = 0;
  let buf = Buffer.alloc(0);
  let pos = 0;
  return () => {
    if (pos + 4 > buf.length) {
      buf = createHash('sha256').update(`${seed}:${block++}`).digest();
      pos = 0;
    }
    const x = buf.readUInt32BE(pos);
    pos += 4;
    return x / 2 ** 32;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The learned identities: the first `k` class indices that have at least two plain stimuli. */
export function learnedIdentities(stimuli: StoredStimulus[], k: number): number[] {
  const plain = new Map<number, number>();
  for (const s of stimuli) if (!s.manipulation && s.noiseTrial === null) plain.set(s.identity, (plain.get(s.identity) ?? 0) + 1);
  return [...plain].filter(([, n]) => n >= 2).map(([id]) => id).sort((a, b) => a - b).slice(0, k);
}

export function planTrials(stimuli: StoredStimulus[], settings: HumanSessionSettings, seed: string): PlannedHumanTrial[] {
  const learned = learnedIdentities(stimuli, settings.identities);
  if (learned.length < 2) throw new Error(`stimuli: a session needs at least 2 identities with 2 or more plain stored images; this run has ${learned.length}`);
  const rand = randomStream(seed);
  const frontal = (a: StoredStimulus, b: StoredStimulus) => Math.abs(a.yawDeg ?? 0) - Math.abs(b.yawDeg ?? 0) || a.index - b.index || (a.name < b.name ? -1 : 1);
  const label = (identity: number) => learned.indexOf(identity) + 1;
  const base = (s: StoredStimulus) => ({ stimulus_id: s.name, imageKey: s.key, yaw_deg: s.yawDeg === null ? null : Math.max(-90, Math.min(90, s.yawDeg)), target: s.identity });
  const learning: Omit<PlannedHumanTrial, 'trial'>[] = [];
  const learnImages: StoredStimulus[] = [];
  const test: Omit<PlannedHumanTrial, 'trial'>[] = [];
  const noisy: Omit<PlannedHumanTrial, 'trial'>[] = [];
  for (const id of learned) {
    const plain = stimuli.filter((s) => s.identity === id && !s.manipulation && s.noiseTrial === null).sort(frontal);
    for (const s of plain.slice(0, 2)) {
      learnImages.push(s);
      learning.push({ ...base(s), condition: 'learning', attention_check: false, manipulation: null, level: null, noise_trial: null, shownLabel: label(id) });
    }
    for (const s of plain.slice(2)) test.push({ ...base(s), condition: 'learning', attention_check: false, manipulation: null, level: null, noise_trial: null, shownLabel: null });
  }
  for (const s of stimuli) {
    if (!learned.includes(s.identity)) continue;
    if (s.manipulation && s.level !== null) test.push({ ...base(s), condition: 'generalisation', attention_check: false, manipulation: s.manipulation, level: s.level, noise_trial: null, shownLabel: null });
    else if (s.noiseTrial !== null) noisy.push({ ...base(s), condition: 'reverse-correlation', attention_check: false, manipulation: null, level: null, noise_trial: s.noiseTrial, shownLabel: null });
  }
  const shuffled = shuffle(test, rand);
  const noiseShuffled = shuffle(noisy, rand);
  const room = Math.max(0, settings.maxTrials - learning.length);
  const checks = Math.min(settings.attentionChecks, room);
  const [genN, rcN] = splitRoom(room - checks, shuffled.length, noiseShuffled.length);
  const testKept = [...shuffled.slice(0, genN), ...noiseShuffled.slice(0, rcN)];
  const catches = Array.from({ length: checks }, (_, c) => {
    const s = learnImages[Math.floor(rand() * learnImages.length)]!;
    return { ...base(s), condition: 'learning' as const, attention_check: true, manipulation: null, level: null, noise_trial: null, shownLabel: label(s.identity) };
  });
  // Checks at evenly spaced positions of the test block (never first, so a check follows some test trials).
  const block: Omit<PlannedHumanTrial, 'trial'>[] = [];
  const every = (testKept.length + 1) / (checks + 1);
  let c = 0;
  testKept.forEach((t, i) => {
    block.push(t);
    while (c < checks && i + 1 >= Math.round(every * (c + 1))) block.push(catches[c++]!);
  });
  while (c < checks) block.push(catches[c++]!);
  return [...learning, ...block].slice(0, settings.maxTrials).map((t, trial) => ({ ...t, trial }));
}

/** Trials of the test block (generalisation and pose) and of the reverse-correlation block in `room`. */
export function splitRoom(room: number, test: number, noise: number): [number, number] {
  let rc = Math.min(noise, test > 0 ? Math.ceil(room / 2) : room);
  const gen = Math.min(test, room - rc);
  rc = Math.min(noise, room - gen);
  return [gen, rc];
}

/**
 * The class stored as the answer "no" to "Is this face N?" on a reverse-correlation trial: the next
 * learned identity after the target in label order (cyclic), so that the stored response is a class
 * index other than the target (correct = response equals target, as on every other trial).
 */
export function rcFoil(learned: number[], target: number): number {
  const i = learned.indexOf(target);
  return learned[(i + 1) % learned.length]!;
}
