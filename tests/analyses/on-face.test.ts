/** The share of a map's significant vertices that lie on the face region (issue 12's "≥ 80 % on the face"). */
import { describe, expect, it } from 'vitest';
import { significantOnFace } from '../../workers/analyses/bundle';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';

describe('significantOnFace', () => {
  it('counts significant vertices inside the face region and their share', () => {
    const sig = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    expect(significantOnFace(sig, [0, 1, 2])).toEqual({ significant: 2, share: 0.5 });
    expect(significantOnFace(new Uint8Array(6), [0, 1])).toEqual({ significant: 0, share: null });
  });
  it('on a built-in model: a map lit only on the face scores 1, one lit only off it 0', () => {
    const model = loadDefaultFaceModel();
    const face = model.regions.face!;
    expect(face.length).toBeGreaterThan(100);
    const onFace = new Uint8Array(model.vertexCount);
    for (const v of face.slice(0, 50)) onFace[v] = 1;
    expect(significantOnFace(onFace, face).share).toBe(1);
    const inFace = new Set(face);
    const off = new Uint8Array(model.vertexCount);
    let n = 0;
    for (let v = 0; v < model.vertexCount && n < 50; v++) if (!inFace.has(v)) { off[v] = 1; n++; }
    expect(significantOnFace(off, face)).toEqual({ significant: 0, share: 0 });
  });
});
