import { describe, expect, it } from 'vitest';
import { buildDefaultFaceModel, encodeFaceModel } from '../../workers/faces';
import { meshFromFaceModel } from '../../server/dashboards/face-model-mesh';
import { artifactIdsOf, encodeMeshRegions, labelVertexRegions } from '../../workers/contract';
import { decodeMeshRegions, regionOfVertex } from '../../app/components/viewer/read-mesh-regions';
import { declFromResult } from '../../server/dashboards/dashboard-results';
import { buildDashboard } from '../../server/dashboards/build';
import type { HiddenLayersSummary, PoseInvarianceSummary, GeneralisationSummary } from '../../workers/contract/result-bundles';

const ref = (file: string, shape: number[]) => ({ file, dtype: 'float32' as const, shape, layout: '', unit: 'bits' });
const layerInfo = (layer: string, depth: number, meanBits: number) => ({
  layer, depth, pcaComponents: 4, explainedVariance: 0.8, decisionBits: 0.1 * depth, logitBits: 0.2 * depth,
  shape: { meanBits, maxBits: 2 * meanBits, meanCoinfoBits: -meanBits / 2, minCoinfoBits: -meanBits },
  texture: { meanBits: meanBits / 2, maxBits: meanBits, meanCoinfoBits: 0, minCoinfoBits: -0.01 },
});

describe('result summaries → dashboard', () => {
  it('hidden layers: one map per layer and feature at offset l × V, redundancy sign-flipped, depth curves', () => {
    const V = 5;
    const s: HiddenLayersSummary = {
      kind: 'hidden-layers', identity: 1, trials: 100, view: { sizePx: 32, yawDeg: 0, pitchDeg: 0 }, notes: [],
      layers: [layerInfo('conv1', 0, 0.02), layerInfo('block1', 1, 0.05), layerInfo('block2', 2, 0.04)],
      arrays: { shapeMi: ref('hl/shape.f32', [3, V]), textureMi: ref('hl/tex.f32', [3, V]), shapeCoinfo: ref('hl/shape.co.f32', [3, V]), textureCoinfo: ref('hl/tex.co.f32', [3, V]) },
    };
    const d = declFromResult(s);
    const m = d.maps.find((x) => x.key === 'hl/id1/shape/layer/block2')!;
    expect(m).toMatchObject({ offset: 2 * V, vertexCount: V, layerIndex: 2, values: 'hl/shape.f32', sign: 1 });
    expect(d.maps.find((x) => x.key === 'hl/id1/texture/redundancy/block1')).toMatchObject({ offset: V, sign: -1, values: 'hl/tex.co.f32' });
    expect(d.maps).toHaveLength(3 * 2 * 2);
    const depth = d.curves.find((c) => c.key === 'hl/id1/depth')!;
    expect(depth.series[0]).toMatchObject({ name: 'shape → layer', x: [0, 1, 2], y: [0.02, 0.05, 0.04] });
    expect(depth.series[2]!.y).toEqual([0.01, 0.025, 0.02]);
  });

  it('pose invariance: per-pose maps at offset (l × P + p) × V', () => {
    const V = 4;
    const s: PoseInvarianceSummary = {
      kind: 'pose-invariance', identity: 0, trialsPerPose: 50, posesYawDeg: [-30, 0, 30], thresholdBits: 0.03, accuracyPerPose: [1, 1, 1],
      features: [
        {
          feature: 'texture',
          layers: [{ layer: 'a', depth: 0, pooledBits: 0.1, conditionalBits: 0.08, invarianceIndex: 0.8, dice: 0.5 }, { layer: 'b', depth: 1, pooledBits: 0.1, conditionalBits: 0.05, invarianceIndex: 0.5, dice: 0.3 }],
          arrays: { pooledMi: ref('p.f32', [2, V]), conditionalMi: ref('c.f32', [2, V]), perPoseMi: ref('pp.f32', [2, 3, V]), selected: ref('s.u8', [2, 3, V]) },
        },
      ],
    };
    const d = declFromResult(s);
    expect(d.maps.find((x) => x.key === 'pi/id0/texture/pose/30/b')).toMatchObject({ offset: (1 * 3 + 2) * V, poseYawDeg: 30, feature: 'texture', thresholdBits: 0.03 });
    expect(d.curves[0]!.series.map((x) => x.y)).toEqual([[0.8, 0.5], [0.5, 0.3]]);
  });

  it('generalisation: shape and texture curves with human data beside them', () => {
    const s: GeneralisationSummary = {
      kind: 'generalisation', identities: [0, 1], posesYawDeg: [0], sizePx: 32,
      curves: [
        { manipulation: 'shape-scale', levels: [0, 1, 2], probability: [0.7, 0.9, 0.8], accuracy: [1, 1, 1], auc: 1.7, levelBelowHalf: null, human: { probability: [0.4, null, 0.3], accuracy: [0, 1, 0] } },
        { manipulation: 'texture-scale', levels: [0, 1, 2], probability: [0.1, 0.9, 0.2], accuracy: [0, 1, 0], auc: 1, levelBelowHalf: 0.5 },
      ],
      arrays: { probability: ref('g.f32', [2, 2, 1, 3]), correct: ref('c.f32', [2, 2, 1, 3]) },
    };
    const [c] = declFromResult(s).curves;
    expect(c!.series.map((x) => [x.name, x.source, x.x, x.y])).toEqual([
      ['network: shape changed', 'network', [0, 1, 2], [0.7, 0.9, 0.8]],
      ['human: shape changed', 'human', [0, 2], [0.4, 0.3]],
      ['network: texture changed', 'network', [0, 1, 2], [0.1, 0.9, 0.2]],
    ]);
  });

  it('drops a map whose values do not fit its mesh, and says why', () => {
    const key = (n: number) => n.toString(16).padStart(64, '0');
    const { manifest, problems } = buildDashboard({
      run: { id: '00000000-0000-4000-8000-000000000001', name: 'r', status: 'succeeded', experimentId: null, createdAt: new Date(0), finishedAt: null, facts: {} },
      manifests: [
        {
          runId: '00000000-0000-4000-8000-000000000001', stepId: 'a', functionId: 'analysis-reverse-correlation', summary: { dashboard: { maps: [{ key: 'm', feature: 'shape', values: 'm.f32' }] } },
          artifacts: [{ name: 'mesh.positions.f32', key: key(1), size: 36, contentType: '' }, { name: 'mesh.triangles.u32', key: key(2), size: 12, contentType: '' }, { name: 'm.f32', key: key(3), size: 16, contentType: '' }],
        },
      ],
      rowsByKey: new Map([1, 2, 3].map((n) => [key(n), { id: `00000000-0000-4000-8000-00000000000${n}`, key: key(n), name: '', size: n === 3 ? 16 : n === 1 ? 36 : 12, contentType: '' }])),
    });
    expect(manifest.maps).toEqual([]);
    expect(problems).toEqual(['map m: 4 values for a mesh of 3 vertices']);
  });
});

describe('the mesh of a stored face model', () => {
  it('reads the mean shape and triangles out of a .dfm file', () => {
    const model = buildDefaultFaceModel();
    const mesh = meshFromFaceModel(encodeFaceModel(model));
    expect(mesh.positions).toEqual(model.mean);
    expect(mesh.triangles).toEqual(model.triangles);
    expect(() => meshFromFaceModel(new Uint8Array(20))).toThrow(/bad magic/);
  });
});

describe('per-vertex region labels of the dashboard mesh', () => {
  it('gives each vertex its most specific region and round-trips through mesh.regions.bin', () => {
    // Vertex 0: face + eyes + left_eye → left_eye; 1: face + eyes → eyes; 2: face; 3: none.
    const r = labelVertexRegions(4, { face: [0, 1, 2], eyes: [0, 1], left_eye: [0], empty: [] });
    expect(r.names).toEqual(['left_eye', 'eyes', 'face']);
    expect([0, 1, 2, 3].map((v) => regionOfVertex(r, v))).toEqual(['left_eye', 'eyes', 'face', null]);
    const back = decodeMeshRegions(encodeMeshRegions(r), 4);
    expect(back.names).toEqual(r.names);
    expect([...back.index]).toEqual([1, 2, 3, 0]);
    // The dashboard links mesh.regions.bin to the default mesh (and a publication may serve it).
    const key = (n: number) => n.toString(16).padStart(64, '0');
    const sizes = [0, 36, 12, 3 + 20];
    const { manifest } = buildDashboard({
      run: { id: '00000000-0000-4000-8000-000000000001', name: 'r', status: 'succeeded', experimentId: null, createdAt: new Date(0), finishedAt: null, facts: {} },
      manifests: [{
        runId: '00000000-0000-4000-8000-000000000001', stepId: 'dashboard-mesh', functionId: 'finalise', summary: {},
        artifacts: [{ name: 'mesh.positions.f32', key: key(1), size: 36, contentType: '' }, { name: 'mesh.triangles.u32', key: key(2), size: 12, contentType: '' }, { name: 'mesh.regions.bin', key: key(3), size: 23, contentType: '' }],
      }],
      rowsByKey: new Map([1, 2, 3].map((n) => [key(n), { id: `00000000-0000-4000-8000-00000000000${n}`, key: key(n), name: '', size: sizes[n]!, contentType: '' }])),
    });
    expect(manifest.meshes[0]!.regions?.id).toBe('00000000-0000-4000-8000-000000000003');
    expect(artifactIdsOf(manifest)).toContain('00000000-0000-4000-8000-000000000003');
    expect(() => decodeMeshRegions(new Uint8Array([5, 0, ...new TextEncoder().encode('["a"]')]), 2)).toThrow(/vertex 0 has region 5/);
  });

  it('labels the default model: the nose tip is nose, the eye centre is left_eye, never the union face', () => {
    const model = buildDefaultFaceModel();
    const { regions } = meshFromFaceModel(encodeFaceModel(model));
    expect(regions.index.length).toBe(model.vertexCount);
    expect(regionOfVertex(regions, model.landmarks.nose_tip!)).toBe('nose');
    expect(regionOfVertex(regions, model.landmarks.left_eye_center!)).toBe('left_eye');
    // Every vertex of the nose region is labelled nose or something smaller than the nose.
    const noseSize = model.regions.nose!.length;
    for (const v of model.regions.nose!) {
      const name = regionOfVertex(regions, v)!;
      expect(model.regions[name]!.length).toBeLessThanOrEqual(noseSize);
    }
  });
});
