/**
 * Interactions between two sources about one target, from Gaussian-copula MI (bits).
 *
 * Co-information (interaction information, McGill 1954) of sources X1, X2 about target Y:
 *   II = I(Y; X1, X2) − I(Y; X1) − I(Y; X2)
 * Negative means redundancy (the sources share information about Y), positive synergy. In the
 * hidden-layer analysis X1 is a layer, X2 the network's decision and Y a diagnostic feature.
 *
 * Minimum-MI partial information decomposition (Barrett 2015, the Gaussian MMI PID):
 *   redundancy = min(I(Y;X1), I(Y;X2)), unique_i = I(Y;Xi) − redundancy,
 *   synergy = I(Y;X1,X2) − I(Y;X1) − I(Y;X2) + redundancy.
 */
import { gcmiCC, gcmiModelCD } from './gcmi';
import { type Continuous, type Discrete, type Samples, asSamples, sameTrials, stack } from './validate';

export interface SourcesInfo {
  /** I(Y; X1) bits */
  i1: number;
  /** I(Y; X2) bits */
  i2: number;
  /** I(Y; X1, X2) bits */
  i12: number;
}

function sources(x1: Continuous, x2: Continuous): { s1: Samples; s2: Samples; s12: Samples } {
  const s1 = asSamples(x1, 'x1');
  const s2 = asSamples(x2, 'x2');
  sameTrials(s1, s2, 'x1', 'x2');
  return { s1, s2, s12: stack(s1, s2) };
}

/** I(Y;X1), I(Y;X2), I(Y;X1,X2) for continuous y, or discrete y with k classes when k is given. */
export function sourcesInfo(x1: Continuous, x2: Continuous, y: Continuous | Discrete, k?: number): SourcesInfo {
  const { s1, s2, s12 } = sources(x1, x2);
  if (k !== undefined) {
    const labels = y as Discrete;
    return { i1: gcmiModelCD(s1, labels, k), i2: gcmiModelCD(s2, labels, k), i12: gcmiModelCD(s12, labels, k) };
  }
  const sy = asSamples(y as Continuous, 'y');
  sameTrials(s1, sy, 'x1', 'y');
  return { i1: gcmiCC(s1, sy), i2: gcmiCC(s2, sy), i12: gcmiCC(s12, sy) };
}

/** Co-information (bits) of x1 and x2 about y: < 0 redundancy, > 0 synergy. k: y discrete with k classes. */
export function coinformation(x1: Continuous, x2: Continuous, y: Continuous | Discrete, k?: number): number {
  const { i1, i2, i12 } = sourcesInfo(x1, x2, y, k);
  return i12 - i1 - i2;
}

export interface PID {
  redundancy: number;
  unique1: number;
  unique2: number;
  synergy: number;
}

/** The minimum-MI PID from the three MI values (bits). */
export function pidFromInfo({ i1, i2, i12 }: SourcesInfo): PID {
  const redundancy = Math.min(i1, i2);
  return { redundancy, unique1: i1 - redundancy, unique2: i2 - redundancy, synergy: i12 - i1 - i2 + redundancy };
}

/** Minimum-MI PID (bits) of sources x1, x2 about y (continuous, or discrete with k classes). */
export function pidMMI(x1: Continuous, x2: Continuous, y: Continuous | Discrete, k?: number): PID {
  return pidFromInfo(sourcesInfo(x1, x2, y, k));
}
