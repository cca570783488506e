/**
 * The false-positive rate is controlled: an oracle that ignores texture (a shape oracle on the nose
 * tip) yields a significant texture vertex at FWER 0.05 in no more of 20 seeds than the binomial
 * 95 % bound of a 5 % rate (issue 6; issue 12's calibration rule).
 * And with the paper's coefficient noise a planted response spreads over every vertex the same
 * components move, which is why the localisation checks use per-vertex noise (noise.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { runOracle } from '../../workers/analyses/oracle';
import { binomialUpperBound } from '../../workers/analyses/fwer-calibration';

describe('oracle false positives', () => {
  const model = loadDefaultFaceModel();

  it('a texture-blind oracle lights a texture vertex in at most the binomial bound of 20 seeds', async () => {
    const counts: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = await runOracle(model, { kind: 'shape', region: 'nose_tip', seed, trials: 200, permutations: 39, maps: 'other' });
      counts.push(r.otherSignificant!);
    }
    // at FWER 5 % the runs with any significant vertex are Binomial(20, 0.05): at most its one-sided
    // 95 % bound, 3 (issue 12's calibration rule; the 4 mm vertex subsample gives 2 of these 20 seeds,
    // every vertex 1)
    const withAny = counts.filter((c) => c > 0).length;
    expect(withAny, `significant texture vertices per seed: ${counts.join(',')}`).toBeLessThanOrEqual(binomialUpperBound(20, 0.05));
  });

  it('with coefficient noise the same planted nose response is carried far outside the nose', async () => {
    // r2 = 1: the planted response without added noise (as before planted R² existed), 800 trials.
    const r = await runOracle(model, { kind: 'shape', region: 'nose', seed: 1, trials: 800, permutations: 39, basis: 'components', maps: 'planted', r2: 1 });
    // Against the region itself: the nose is found, but the components that move the nose move much
    // of the face, so the map is not local (its truth is the analytic map, oracle-truth.ts).
    expect(r.regionRecovery.recall).toBeGreaterThan(0.9);
    expect(r.regionRecovery.significant).toBeGreaterThan(2 * r.region.length);
    expect(r.regionRecovery.precision).toBeLessThan(0.5);
  });
});
