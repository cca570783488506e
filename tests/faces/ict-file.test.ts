/** The shipped ICT file and the model cache reject corrupt input loudly and never leave half-written files. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeIctFile } from '../../workers/faces/ict/ict-file';
import { ICT_FILE } from '../../workers/faces/ict/ict-model';
import { cachedFaceModel } from '../../workers/faces/ict/model-cache';
import type { FaceModel } from '../../workers/faces/model';

const bytes = new Uint8Array(readFileSync(ICT_FILE));

describe('ICT built-in file', () => {
  it('decodes the shipped file', () => {
    const d = decodeIctFile(bytes, ICT_FILE);
    expect(d.header.vertexCount).toBe(15602);
    expect(d.identities).toHaveLength(100);
    expect(d.header.landmarks68).toHaveLength(68);
  });
  it('names the file and the field when the file is truncated or corrupt', () => {
    expect(() => decodeIctFile(bytes.subarray(0, 6), 'x.bin')).toThrow(/x\.bin: magic: .*truncated/);
    expect(() => decodeIctFile(bytes.subarray(0, 200), 'x.bin')).toThrow(/x\.bin: header: .*truncated/);
    expect(() => decodeIctFile(bytes.subarray(0, bytes.length - 1000), 'x.bin')).toThrow(/x\.bin: payload: /);
    const flipped = bytes.slice();
    flipped[flipped.length - 5000] ^= 0xff;
    expect(() => decodeIctFile(flipped, 'x.bin')).toThrow(/x\.bin: payload: /);
    const badMagic = bytes.slice();
    badMagic[0] = 0x41;
    expect(() => decodeIctFile(badMagic, 'x.bin')).toThrow(/x\.bin: magic/);
    // A header field of the wrong type is named by its path.
    const H = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const header = new TextDecoder().decode(bytes.subarray(12, 12 + H)).replace(/"vertexCount":(\d+)/, '"vertexCount":"$1"');
    const head = new TextEncoder().encode(header);
    const out = new Uint8Array(12 + head.length + bytes.length - 12 - H);
    out.set(bytes.subarray(0, 12));
    new DataView(out.buffer).setUint32(8, head.length, true);
    out.set(head, 12);
    out.set(bytes.subarray(12 + H), 12 + head.length);
    expect(() => decodeIctFile(out, 'x.bin')).toThrow(/x\.bin: header\.vertexCount/);
  });
});

describe('face model cache', () => {
  const tiny = (): FaceModel => ({
    name: 'tiny', description: '', vertexCount: 3, triangleCount: 1, mean: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), triangles: new Uint32Array([0, 1, 2]), uv: null,
    shapeBasis: new Float32Array(9).fill(1 / 3), shapeSd: new Float32Array([1]), shapeNames: ['s'], albedoMean: new Float32Array(9).fill(0.5),
    textureBasis: new Float32Array(0), textureSd: new Float32Array(0), textureBand: new Uint8Array(0), textureBandNames: [], textureNames: [],
    demographics: { names: [], ethnicityGroups: [], ageReference: 40, agePerUnit: 20, ageRange: [18, 75] }, shapeDemo: new Float32Array(0), textureDemo: new Float32Array(0),
    expressionNames: [], expressionShape: new Float32Array(0), expressionAlbedo: null, regions: {}, landmarks: {}, notes: [],
  });
  it('rebuilds a corrupt cache with a logged warning and leaves nothing half-written', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-cache-'));
    const warnings: string[] = [];
    let builds = 0;
    const build = () => { builds++; return tiny(); };
    cachedFaceModel('tiny-1', 'tiny-', build, { dir, warn: (m) => warnings.push(m) });
    cachedFaceModel('tiny-1', 'tiny-', build, { dir, warn: (m) => warnings.push(m) });
    expect([builds, warnings.length]).toEqual([1, 0]); // the second load came from the cache
    const file = path.join(dir, 'tiny-1.dfm');
    const b = readFileSync(file);
    b[b.length - 3] ^= 0x55;
    writeFileSync(file, b);
    const m = cachedFaceModel('tiny-1', 'tiny-', build, { dir, warn: (msg) => warnings.push(msg) });
    expect(builds).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tiny-1\.dfm: sha256 .* does not match/);
    expect(Array.from(m.mean)).toEqual(Array.from(tiny().mean));
    expect(readdirSync(dir).sort()).toEqual(['tiny-1.dfm', 'tiny-1.dfm.sha256']);
    // The rewritten cache is sound again.
    cachedFaceModel('tiny-1', 'tiny-', build, { dir, warn: (msg) => warnings.push(msg) });
    expect([builds, warnings.length]).toEqual([2, 1]);
  });
});

describe('faces.model in the experiment contract', () => {
  it('defaults new experiments to ict, keeps the tiny preset and legacy configs on procedural, rejects unknown names', async () => {
    const { ExperimentConfig, experimentPreset } = await import('../../workers/contract');
    expect(ExperimentConfig.parse({ name: 'x' }).faces.model).toBe('ict');
    expect(experimentPreset('tiny').faces.model).toBe('procedural');
    expect(ExperimentConfig.parse({ name: 'x', faces: { model: 'default' } }).faces.model).toBe('default');
    expect(() => ExperimentConfig.parse({ name: 'x', faces: { model: 'bogus' } })).toThrow(/faces.model must be a built-in model/);
    const r = ExperimentConfig.parse({ name: 'x', render: { emotions: ['happiness', 'fear'], expressionIntensity: [0.5, 1] } }).render;
    expect(r.emotions).toEqual(['happiness', 'fear']);
    expect(() => ExperimentConfig.parse({ name: 'x', render: { emotions: ['joy'] } })).toThrow();
  });
});
