/**
 * Every caller keeps its seeded stream and its numerics when the RNGs, the Jacobi eigen-solver and the
 * Cholesky/log-det code move into workers/util (issue 18 item 1). The values below were recorded from
 * the callers' own implementations BEFORE the move (commit 8919369): first values exactly, and the
 * sha256 (first 32 hex digits) of a long run of each stream, or of each solver's output, byte for byte.
 * A changed digest means seeded runs, cached face models or stored results would change.
 */
import { describe, expect, it } from 'vitest';
import { pinnedNumerics, pinnedStreams } from './pinned';

const STREAMS: Record<string, { first: number[]; digest: string }> = {
  'faces.createRng(0)': {
    first: [0.945001982152462, 0.10122476890683174, 0.999700709246099],
    digest: '3e2755553292759521470ee1f59de611'
  },
  'faces.createRng(1)': {
    first: [0.9889829137828201, 0.9908782511483878, 0.9719636929221451],
    digest: '1cb00079397f1a7398ffd0aee1a0cd22'
  },
  'faces.createRng(42)': {
    first: [0.32283087144605815, 0.5438606271054596, 0.38095305720344186],
    digest: '57c73f51959d649a9d32673324bdb694'
  },
  'faces.createRng(2147483653)': {
    first: [0.40462556714192033, 0.876313449582085, 0.11099124723114073],
    digest: '2417900c9df960e25b7fe7f7596654ef'
  },
  'faces.hashInts': {
    first: [1500062585, 1343487201, 3226121595],
    digest: '2959abb0258e10a1d623f59217ee83ac'
  },
  'faces.fillGaussian(createRng(7))': {
    first: [1.126836960763949, 0.2788659554635993, 1.1207045961411688],
    digest: 'db42a65cba921443eb52d28ce38c55ed'
  },
  'nn.rng(0)': {
    first: [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197],
    digest: 'ef95c5b131f8386e6f1019dd95d3f5de'
  },
  'nn.rng(1)': {
    first: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522],
    digest: '5374316dc4197045dbf2a41eced24e54'
  },
  'nn.rng(42)': {
    first: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099],
    digest: '1474c5e31651e2965b56cd50a87fdbba'
  },
  'nn.rng(2413563182)': {
    first: [0.41777702351100743, 0.8798894395586103, 0.6513648873660713],
    digest: '017639aed189f9405cf191c6eeeb5599'
  },
  'nn.shuffled(1000, rng(5))': {
    first: [196, 706, 515],
    digest: '3dcc59ee61139779a133899bdc710f61'
  },
  'info.Rng(0).nextU32': {
    first: [3809008728, 1133695204, 53579671],
    digest: 'cbf1de465d5fd492ec589e65bf912c24'
  },
  'info.Rng(0).uniform': {
    first: [0.7678306464126214, 0.33530160354849403, 0.22396324536650936],
    digest: '9573c465773636fd83c9e55cf11dc12a'
  },
  'info.Rng(0).normal': {
    first: [-0.0023047698377829384, 2.1892695762807923, 0.34525858469056475],
    digest: '53fd2c948b972d62ab10f7dd3db7ec27'
  },
  'info.Rng(0).permutation(1000)': {
    first: [777, 411, 363],
    digest: 'e3797578aa2627690e71b4f5f3b9ab2e'
  },
  'info.Rng(0).below(7)': {
    first: [5, 0, 2],
    digest: '3495be39be1228da6a74eb6b8491eadb'
  },
  'info.Rng(1).nextU32': {
    first: [2442144158, 3238099751, 3819917871],
    digest: '5a02fcc656eb94055c35224c0e27109e'
  },
  'info.Rng(1).uniform': {
    first: [0.6323729907718839, 0.670556278456322, 0.6383882676022947],
    digest: '0f5e2224b18e325c1934b3bf6c79153b'
  },
  'info.Rng(1).normal': {
    first: [-0.5042383582790213, 2.9644900408592023, -0.22938922969031048],
    digest: '3620c1aa4ba2ce386a958e9a0269631c'
  },
  'info.Rng(1).permutation(1000)': {
    first: [221, 33, 862],
    digest: '93dabffca6314eff62ffc9a703268081'
  },
  'info.Rng(1).below(7)': {
    first: [5, 1, 3],
    digest: 'f8dd936dcb91dea25e79c07541069fe0'
  },
  'info.Rng(42).nextU32': {
    first: [2837322924, 544945897, 479756282],
    digest: '4ca1279e5fdee5fb759cf557d92bb020'
  },
  'info.Rng(42).uniform': {
    first: [0.8692596414072504, 0.41727903893344576, 0.3520037833735975],
    digest: '5c8fc82a9f18ecba2c407dbe8c4e1ef7'
  },
  'info.Rng(42).normal': {
    first: [0.9027885057301158, 0.6000308336983617, -1.7529549910610949],
    digest: '95a86bf3718eced152034a80cbfb9c94'
  },
  'info.Rng(42).permutation(1000)': {
    first: [903, 90, 938],
    digest: 'd76f7ad7c3f91ecc33b110f4d537804a'
  },
  'info.Rng(42).below(7)': {
    first: [0, 1, 2],
    digest: '33e97bec7d69d28d2dc790d9ccba0f76'
  }
};

const NUMERICS: Record<string, string> = {
  'faces.symmetricEigen(3)': 'c332de681b6f98b63365a5a8f4df4441',
  'faces.symmetricEigen(12)': '271489df40c63bb5e9bf3503b2401c3e',
  'faces.symmetricEigen(24)': '5c6e16ddaa2af55dcca7c21cfc719beb',
  'faces.principalAxes': 'eae53b837e13414e74b4f4e2b02769ff',
  'pca.jacobiEigen(3)': '597ece2938172d06a1d45579c0c3dc19',
  'pca.jacobiEigen(18)': '2d4d5b9d816ee0d7fc0aca30355034ff',
  'pca.pcaScores': 'e5ab68d6cfc5465e43e35f2e7d028919',
  'info.cholesky(1)': 'ae4c1df4f82005562f3c98eb6fc95605',
  'info.cholesky(3)': '07cfa83395a522aea631e74b974739ec',
  'info.cholesky(7)': 'c5b36b5a782171c5dcdc44b9d2dba297',
  'info.buildModelCD(d=1).hunc': '53900163b099e5a5942f779c8ae2b159',
  'info.buildModelCD(d=3).hunc': '08145c75af6bf7ddfe7b2a494a33cc95',
  'layer-stats.whiten': 'a9de82d478d0698388a58ee4402cda69',
  'layer-stats.FastLayerNull.permutedMi': '25e5c44ea627b6c7f1a13f23734cb155'
};

describe("seeded streams are byte-identical to the callers' originals", () => {
  const now = pinnedStreams();
  it('pins every stream (no stream added or lost)', () => expect(Object.keys(now).sort()).toEqual(Object.keys(STREAMS).sort()));
  for (const [name, pinned] of Object.entries(STREAMS)) {
    it(name, () => {
      expect(now[name].first).toEqual(pinned.first);
      expect(now[name].digest).toBe(pinned.digest);
    });
  }
});

describe('eigen-solver and Cholesky/log-det results are byte-identical', () => {
  const now = pinnedNumerics();
  it('pins every result', () => expect(Object.keys(now).sort()).toEqual(Object.keys(NUMERICS).sort()));
  for (const [name, pinned] of Object.entries(NUMERICS)) it(name, () => expect(now[name]).toBe(pinned));
});
