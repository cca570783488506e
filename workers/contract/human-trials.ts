import { z } from 'zod';
import { Manipulation } from './result-bundles';

/**
 * Human observers (issue 15): the tidy trial table, one row per (participant, trial). It is what a
 * participant session stores, what the human analyses read and what the CSV export writes; the data
 * dictionary (workers/analyses/human/export.ts `dataDictionary`) is generated from HUMAN_TRIAL_COLUMNS.
 *
 * Conventions: identities are class indices of the run (the network's classes); a response of −1
 * means no response within the time limit; `correct` is derived (response = target), never stored.
 */

export const HUMAN_CONDITIONS = ['learning', 'generalisation', 'reverse-correlation'] as const;
export const HumanCondition = z.enum(HUMAN_CONDITIONS);
export type HumanCondition = z.infer<typeof HumanCondition>;

/** Participant codes are pseudonyms issued by the session (no personal data). */
export const ParticipantCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'participant: 1–64 characters of A–Z, a–z, 0–9, _ or -, starting with a letter or digit');

export const HumanTrial = z.object({
  participant: ParticipantCode,
  trial: z.number().int().min(0).max(100_000),
  stimulus_id: z.string().min(1).max(200),
  condition: HumanCondition,
  attention_check: z.boolean(),
  manipulation: Manipulation.nullable(),
  level: z.number().nullable(),
  yaw_deg: z.number().min(-90).max(90).nullable(),
  noise_trial: z.number().int().min(0).nullable(),
  target: z.number().int().min(0),
  response: z.number().int().min(-1),
  confidence: z.number().int().min(1).max(9).nullable(),
  rt_ms: z.number().min(0).max(600_000).nullable(),
}).superRefine((r, ctx) => {
  if (r.condition === 'generalisation' && (r.manipulation === null || r.level === null)) {
    ctx.addIssue({ code: 'custom', path: ['manipulation'], message: 'generalisation trials need a manipulation and a level' });
  }
  if (r.condition === 'reverse-correlation' && r.noise_trial === null) {
    ctx.addIssue({ code: 'custom', path: ['noise_trial'], message: 'reverse-correlation trials need noise_trial (the index of the trial in the noise draw)' });
  }
});
export type HumanTrial = z.infer<typeof HumanTrial>;

export interface HumanTrialColumn {
  name: keyof HumanTrial;
  type: 'string' | 'integer' | 'number' | 'boolean';
  /** Empty cell allowed (null). */
  nullable: boolean;
  unit: string;
  description: string;
}

/** The CSV's columns, in order. */
export const HUMAN_TRIAL_COLUMNS: HumanTrialColumn[] = [
  { name: 'participant', type: 'string', nullable: false, unit: '', description: 'Pseudonymous participant code issued by the session (1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit); no personal data.' },
  { name: 'trial', type: 'integer', nullable: false, unit: '', description: 'Trial number within the participant, from 0 in presentation order; (participant, trial) is unique.' },
  { name: 'stimulus_id', type: 'string', nullable: false, unit: '', description: "Identifier of the image shown, in the run's stored stimuli." },
  { name: 'condition', type: 'string', nullable: false, unit: '', description: `Block of the task: ${HUMAN_CONDITIONS.join(', ')}.` },
  { name: 'attention_check', type: 'boolean', nullable: false, unit: '', description: 'true for an attention-check (catch) trial with an unambiguous answer; participants below the pass rate are flagged and left out of pooled statistics (kept here).' },
  { name: 'manipulation', type: 'string', nullable: true, unit: '', description: 'Generalisation trials: shape-scale, texture-scale, shape-morph or texture-morph; empty otherwise.' },
  { name: 'level', type: 'number', nullable: true, unit: 'fraction of the identity deviation (scale) or of the way to the other identity (morph)', description: 'Generalisation trials: the manipulation level; empty otherwise.' },
  { name: 'yaw_deg', type: 'number', nullable: true, unit: 'degrees', description: 'Pose of the face (positive = the face turns to its left); empty when not recorded.' },
  { name: 'noise_trial', type: 'integer', nullable: true, unit: '', description: "Reverse-correlation trials: index of the trial in the run's noise draw (basis, sds and seed of the run), which gives the noise the participant saw; empty otherwise." },
  { name: 'target', type: 'integer', nullable: false, unit: '', description: 'Identity (class index) the stimulus was made from: the correct answer.' },
  { name: 'response', type: 'integer', nullable: false, unit: '', description: 'Identity (class index) the participant chose; -1 = no response within the time limit. Reverse-correlation trials ask "Is this face N?": yes is stored as the target, no as the next learned identity after it.' },
  { name: 'confidence', type: 'integer', nullable: true, unit: 'rating 1 (guess) … 4 (sure)', description: 'Confidence rating given with the response; empty when no response.' },
  { name: 'rt_ms', type: 'number', nullable: true, unit: 'ms', description: 'Response time from stimulus onset; empty when no response.' },
];

/**
 * The reverse-correlation stimuli a run stores for people (workers/functions/analyses.ts): images
 * human-rc/<i>.png captioned by human-rc.json[i] = {identity, yaw, noiseTrial}, and
 * human-rc-noise.json (this schema): the noise draw the network saw, so that noise trial t of it is
 * exactly the noise on the image (analyses/noise.ts drawNoise with this spec; the noisy vertices
 * of the local bases are the face model's 'face' region, drawNoise's default).
 */
export const HUMAN_RC_FOLDER = 'human-rc';
export const HUMAN_RC_CAPTIONS = 'human-rc.json';
export const HUMAN_RC_NOISE = 'human-rc-noise.json';

export const HumanRcNoise = z.object({
  /** The target identity (class index) whose trials the images are. */
  identity: z.number().int().min(0),
  yawDeg: z.number(),
  sizePx: z.number().int().positive(),
  /** The noise draw (drawNoise's NoiseSpec without vertices). */
  noise: z.object({
    basis: z.enum(['bubbles', 'coefficients', 'components', 'vertex']),
    trials: z.number().int().min(10),
    shapeSd: z.number().min(0),
    textureSd: z.number().min(0),
    seed: z.number().int(),
    /**
     * bubbles: σ (mm), density, and the texture band law k (octaves between bands' bump widths,
     * bases/bubbles.ts). A record written before k existed has none: it was drawn with k = 0.5.
     */
    bubbles: z.object({ sigmaMm: z.number().positive(), density: z.number().positive(), textureBandOctaves: z.number().min(0).max(1).default(0.5) }).optional(),
    /** coefficients basis: the draw's design (noise.ts NoiseDesign). A record written before it existed has none: it was drawn independently. */
    design: z.enum(['orthogonal', 'independent']).default('independent'),
  }),
  /** The feature people's maps are computed on: texture when the noise has texture, else shape. */
  feature: z.enum(['texture', 'shape']),
  /** The network's map of the same identity and feature (artifact names in the same step), decision map when it exists. */
  network: z.object({ mi: z.string(), significant: z.string(), response: z.enum(['decision', 'logit']) }).nullable(),
});
export type HumanRcNoise = z.infer<typeof HumanRcNoise>;
