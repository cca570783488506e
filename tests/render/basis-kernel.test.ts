// The renderer's WebAssembly identity sums (basis.c via BasisKernel) give the bytes of workers/faces
// identityPositions and identityAlbedo, and StimulusRenderer uses them from its second identity on.
import { describe, expect, it } from 'vitest';
import { applyExpression, identityAlbedo, identityPositions, identitySum, loadBuiltinFaceModel, sampleIdentities } from '../../workers/faces';
import { BasisKernel, StimulusRenderer } from '../../workers/render';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('BasisKernel', () => {
  for (const name of ['ict', 'procedural'] as const) {
    it(`sums ${name} positions and albedo bit for bit as workers/faces (expressions, odd coefficients)`, () => {
      const model = loadBuiltinFaceModel(name);
      const kernel = BasisKernel.forModel(model)!;
      expect(kernel).not.toBeNull();
      expect(BasisKernel.forModel(model)).toBe(kernel); // one per model and thread
      const ids = sampleIdentities(model, { count: 3, seed: 11 });
      ids[1] = applyExpression(model, ids[1], model.expressionNames[0], 0.7);
      ids[2].shape[3] = 0; ids[2].texture[5] = -0; ids[2].shape[7] = 40; ids[2].texture[0] = 1e-30;
      const n = model.vertexCount * 3;
      let differing = 0;
      for (const id of ids) {
        const p = kernel.sum(identitySum(model, id, 'positions'), new Float32Array(n));
        const a = kernel.sum(identitySum(model, id, 'albedo'), new Float32Array(n));
        expect(bytes(p).equals(bytes(identityPositions(model, id)))).toBe(true);
        expect(bytes(a).equals(bytes(identityAlbedo(model, id)))).toBe(true);
        if (!bytes(p).equals(bytes(identityPositions(model, ids[0])))) differing++;
      }
      expect(differing).toBe(2); // three different faces, not one
    });
  }

  it('rejects an output of the wrong length', () => {
    const model = loadBuiltinFaceModel('procedural');
    const [id] = sampleIdentities(model, { count: 1, seed: 1 });
    expect(() => BasisKernel.forModel(model)!.sum(identitySum(model, id, 'positions'), new Float32Array(5))).toThrow(/length 5/);
  });

  it('StimulusRenderer geometry of a second identity equals workers/faces (kernel path)', () => {
    const model = loadBuiltinFaceModel('ict');
    const ids = sampleIdentities(model, { count: 2, seed: 5 });
    const r = new StimulusRenderer(model, 32, 1);
    r.geometryOf(ids[0]);
    const g = r.geometryOf(ids[1]);
    expect(bytes(g.positions).equals(bytes(identityPositions(model, ids[1])))).toBe(true);
    expect(bytes(g.albedo).equals(bytes(identityAlbedo(model, ids[1])))).toBe(true);
  });
});
