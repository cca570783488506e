/**
 * Evaluate a GCMI reference-vectors file (the format of ../shared/reference/gcmi/vectors.json:
 * {"cases": [{"fn", "args", "expected", "note"}]}, continuous variables [dims][samples], maps
 * [page][dims][samples], results in bits) against this implementation. A value passes when it is
 * within 1e-9 absolute or 1e-7 relative of the expected one.
 */
import { z } from 'zod';
import { copnorm } from './copnorm';
import { cmiGGG, entG, miGG } from './gaussian';
import { miMixtureGD, miModelGD } from './discrete';
import { gccmiCCC, gccmiCCD, gcmiCC, gcmiMixtureCD, gcmiModelCD } from './gcmi';
import { gcmiMapCC, gcmiMapCD } from './map';

export const ABS_TOL = 1e-9;
export const REL_TOL = 1e-7;

const NestedNumbers: z.ZodType<unknown> = z.union([z.number(), z.array(z.lazy(() => NestedNumbers))]);
const Case = z.object({
  fn: z.string(),
  args: z.record(z.string(), z.unknown()),
  expected: NestedNumbers,
  note: z.string().optional(),
});
export const VectorsFile = z.object({ cases: z.array(Case) }).passthrough();
export type VectorCase = z.infer<typeof Case>;

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
type Rows = number[][];
type Pages = number[][][];

/** What one case computes, as a flat list of numbers in the expected's order. */
export function evaluateCase(c: VectorCase): number[] {
  const a = c.args as Record<string, unknown> & { x: Rows; y: Rows & number[]; z: Rows & number[] };
  const opts = { biasCorrect: (a.biascorrect as boolean) ?? true, demeaned: (a.demeaned as boolean) ?? false };
  const k = (a.Ym ?? a.Zm) as number;
  switch (c.fn) {
    case 'copnorm':
      return Array.from(copnorm(Float64Array.from(flat(a.x)), a.x.length));
    case 'ent_g':
      return [entG(a.x, opts)];
    case 'mi_gg':
      return [miGG(a.x, a.y, opts)];
    case 'gcmi_cc':
      return [gcmiCC(a.x, a.y)];
    case 'mi_model_gd':
      return [miModelGD(a.x, a.y, k, opts)];
    case 'gcmi_model_cd':
      return [gcmiModelCD(a.x, a.y, k)];
    case 'mi_mixture_gd':
      return [miMixtureGD(a.x, a.y, k)];
    case 'gcmi_mixture_cd':
      return [gcmiMixtureCD(a.x, a.y, k)];
    case 'cmi_ggg':
      return [cmiGGG(a.x, a.y, a.z, opts)];
    case 'gccmi_ccc':
      return [gccmiCCC(a.x, a.y, a.z)];
    case 'gccmi_ccd': {
      const r = gccmiCCD(a.x, a.y, a.z, k);
      return [r.cmi, r.mi];
    }
    case 'info_cc_slice':
    case 'info_cd_slice': {
      // a map slice: x [page][dim][sample] used as given (no copula transform)
      const x = a.x as unknown as Pages;
      const [nVar, nDim, nTrial] = [x.length, x[0].length, x[0][0].length];
      const data = Float64Array.from(flat(x));
      const mapOpts = { copnorm: false, biasCorrect: opts.biasCorrect, demeaned: (a.demeaned as boolean) ?? false };
      const out =
        c.fn === 'info_cc_slice'
          ? gcmiMapCC(data, nVar, nDim, nTrial, Float64Array.from(flat(a.y)), mapOpts)
          : gcmiMapCD(data, nVar, nDim, nTrial, Int32Array.from(flat(a.y)), k, mapOpts);
      return Array.from(out);
    }
    default:
      throw new Error(`unknown function '${c.fn}'`);
  }
}

export interface CaseResult {
  index: number;
  fn: string;
  passed: boolean;
  maxAbs: number;
  maxRel: number;
  error?: string;
}

export function checkCase(c: VectorCase, index: number): CaseResult {
  const expected = flat(c.expected);
  try {
    const got = evaluateCase(c);
    if (got.length !== expected.length)
      return { index, fn: c.fn, passed: false, maxAbs: Infinity, maxRel: Infinity, error: `returned ${got.length} values, expected ${expected.length}` };
    let maxAbs = 0;
    let maxRel = 0;
    let passed = true;
    for (let i = 0; i < got.length; i++) {
      const abs = Math.abs(got[i] - expected[i]);
      const rel = expected[i] === 0 ? (abs === 0 ? 0 : Infinity) : abs / Math.abs(expected[i]);
      if (!(abs <= ABS_TOL || rel <= REL_TOL)) passed = false;
      if (!(abs <= maxAbs)) maxAbs = abs; // NaN propagates as a failure
      if (!(rel <= maxRel)) maxRel = rel;
    }
    return { index, fn: c.fn, passed, maxAbs, maxRel };
  } catch (e) {
    return { index, fn: c.fn, passed: false, maxAbs: Infinity, maxRel: Infinity, error: e instanceof Error ? e.message : String(e) };
  }
}

export interface VerifySummary {
  cases: number;
  passed: number;
  max_abs_error: number;
  max_rel_error: number;
}

export function verifyVectors(file: unknown): { results: CaseResult[]; summary: VerifySummary } {
  const parsed = VectorsFile.parse(file);
  const results = parsed.cases.map(checkCase);
  const summary: VerifySummary = {
    cases: results.length,
    passed: results.filter((r) => r.passed).length,
    max_abs_error: results.reduce((m, r) => (r.maxAbs > m || Number.isNaN(r.maxAbs) ? r.maxAbs : m), 0),
    max_rel_error: results.reduce((m, r) => (r.maxRel > m || Number.isNaN(r.maxRel) ? r.maxRel : m), 0),
  };
  return { results, summary };
}
