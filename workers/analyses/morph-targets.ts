/**
 * Morph targets of the generalisation test: for each tested identity, another learned identity
 * drawn at random (seeded) within its demographic group, so that a morph changes the individual
 * and not the demographic (gender, ethnicity). Group = (sign of gender, dominant ethnicity group);
 * when the group holds no other learned identity the draw widens to the same gender, then to any
 * other identity, and `scope` says which was used.
 */
import type { Demographics, Identity } from '../faces';
import { Rng } from '../info';

export type MorphScope = 'group' | 'gender' | 'any';

/** The demographic group key: gender sign and the dominant ethnicity group's index. */
export function demographicGroup(d: Demographics): string {
  let g = 0;
  d.ethnicity.forEach((w, i) => { if (w > d.ethnicity[g]) g = i; });
  return `${d.gender >= 0 ? '+' : '-'}:${g}`;
}

/**
 * For each tested identity index in `tested` (indices into `learned`), a morph target index in
 * `learned` (never itself), drawn uniformly among the candidates of the narrowest scope that has one.
 */
export function drawMorphTargets(learned: Identity[], tested: number[], seed: number): { target: number[]; scope: MorphScope[] } {
  if (learned.length < 2) throw new Error('morph targets: at least 2 learned identities are needed');
  const rng = new Rng(seed);
  const target: number[] = [];
  const scope: MorphScope[] = [];
  for (const i of tested) {
    const me = learned[i];
    const others = learned.map((_, j) => j).filter((j) => j !== i);
    const group = others.filter((j) => demographicGroup(learned[j].demographics) === demographicGroup(me.demographics));
    const gender = others.filter((j) => Math.sign(learned[j].demographics.gender || 1) === Math.sign(me.demographics.gender || 1));
    const [pool, s]: [number[], MorphScope] = group.length > 0 ? [group, 'group'] : gender.length > 0 ? [gender, 'gender'] : [others, 'any'];
    target.push(pool[Math.floor(rng.uniform() * pool.length)]);
    scope.push(s);
  }
  return { target, scope };
}
