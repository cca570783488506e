import { describe, expect, it } from 'vitest';
import { colormapHex, colormapRgb, lightness } from '../../app/components/viewer/colormap';
import { BELOW_THRESHOLD_RGB, mapStats, nearestVertexOfFace, sliceMap, vertexColors } from '../../app/components/viewer/map-data';
import { curvesCsv, encodePly, mapCsv, mapJson } from '../../app/components/viewer/exports';
import { formatTick, niceDomain } from '../../app/components/charts/scale';
import { optionsFor, poseAvailability, resolveChoice } from '../../app/components/viewer/map-selection';
import type { DashboardMap } from '../../workers/contract';

const hexDist = (a: string, b: string) => Math.max(...[1, 3, 5].map((i) => Math.abs(parseInt(a.slice(i, i + 2), 16) - parseInt(b.slice(i, i + 2), 16))));

describe('colormaps', () => {
  it('match matplotlib at the ends and the middle within 6/255 (the polynomial fits)', () => {
    // matplotlib's tables: viridis[0], [128], [255]; magma[0], [255].
    expect(hexDist(colormapHex('viridis', 0), '#440154')).toBeLessThanOrEqual(6);
    expect(hexDist(colormapHex('viridis', 128 / 255), '#21918c')).toBeLessThanOrEqual(6);
    expect(hexDist(colormapHex('viridis', 1), '#fde725')).toBeLessThanOrEqual(6);
    expect(hexDist(colormapHex('magma', 0), '#000004')).toBeLessThanOrEqual(6);
    expect(hexDist(colormapHex('magma', 1), '#fcfdbf')).toBeLessThanOrEqual(6);
  });

  it('rise in lightness monotonically (more bits always read brighter)', () => {
    for (const name of ['viridis', 'magma'] as const) {
      let prev = -1;
      const steps: number[] = [];
      for (let i = 0; i <= 64; i++) {
        const L = lightness(colormapRgb(name, i / 64));
        expect(L, `${name} at ${i}/64`).toBeGreaterThan(prev);
        if (prev >= 0) steps.push(L - prev);
        prev = L;
      }
      // Close to uniform in L* (the maps are uniform in CAM02-UCS): no step is 3.5× another.
      expect(Math.max(...steps) / Math.min(...steps)).toBeLessThan(3.5);
    }
  });
});

describe('vertex colours', () => {
  const values = Float32Array.from([0, 0.05, 0.1, 0.2, NaN]);
  it('grey below the threshold and for NaN, colormap ends at min and max', () => {
    const c = vertexColors(values, { minBits: 0, maxBits: 0.2, thresholdBits: 0.08, colormap: 'viridis' });
    expect(Array.from(c.slice(0, 3))).toEqual([...BELOW_THRESHOLD_RGB].map((x) => Math.fround(x)));
    expect(Array.from(c.slice(3, 6))).toEqual([...BELOW_THRESHOLD_RGB].map((x) => Math.fround(x)));
    expect(Array.from(c.slice(12, 15))).toEqual([...BELOW_THRESHOLD_RGB].map((x) => Math.fround(x)));
    const top = colormapRgb('viridis', 1);
    for (let k = 0; k < 3; k++) expect(c[9 + k]).toBeCloseTo(top[k]!, 5);
    const none = vertexColors(values, { minBits: 0, maxBits: 0.2, thresholdBits: null, colormap: 'viridis' });
    const bottom = colormapRgb('viridis', 0);
    for (let k = 0; k < 3; k++) expect(none[k]).toBeCloseTo(bottom[k]!, 5);
  });

  it('stats count vertices at or above the threshold and find the peak', () => {
    expect(mapStats(values, 0.1)).toEqual({ maxBits: Math.fround(0.2), minBits: 0, negative: 0, finite: 4, above: 2, peakVertex: 3 });
  });

  it('slices stacked [L][V] maps and flips co-information to redundancy', () => {
    const stacked = Float32Array.from([1, 2, 3, -4, -5, -6]);
    expect(Array.from(sliceMap(stacked, 3, 3, -1))).toEqual([4, 5, 6]);
    expect(() => sliceMap(stacked, 4, 3)).toThrow(/outside/);
  });

  it('picks the nearest vertex of a clicked triangle', () => {
    const pos = Float32Array.from([0, 0, 0, 10, 0, 0, 0, 10, 0]);
    expect(nearestVertexOfFace(pos, Uint32Array.from([0, 1, 2]), 0, [8, 1, 0])).toBe(1);
  });
});

describe('exports', () => {
  const positions = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const triangles = Uint32Array.from([0, 1, 2, 0, 2, 3]);
  const values = Float32Array.from([0.1, 0.2, NaN, 0.4]);
  const colors = vertexColors(values, { minBits: 0, maxBits: 0.4, thresholdBits: null, colormap: 'magma' });

  it('PLY: header, vertices with colour and mi_bits, faces, read back exactly', () => {
    const ply = encodePly(positions, triangles, values, colors);
    const text = new TextDecoder('latin1').decode(ply);
    const end = text.indexOf('end_header\n') + 'end_header\n'.length;
    const header = text.slice(0, end);
    expect(header).toContain('format binary_little_endian 1.0');
    expect(header).toContain('element vertex 4');
    expect(header).toContain('property float mi_bits');
    expect(header).toContain('element face 2');
    expect(ply.length).toBe(end + 4 * 19 + 2 * 13);
    const dv = new DataView(ply.buffer, ply.byteOffset + end);
    expect(dv.getFloat32(19 * 3 + 8, true)).toBe(1); // z of vertex 3
    expect(dv.getUint8(19 * 3 + 12)).toBe(Math.round(colors[9]! * 255));
    expect(dv.getFloat32(19 * 3 + 15, true)).toBeCloseTo(0.4, 6);
    expect(Number.isNaN(dv.getFloat32(19 * 2 + 15, true))).toBe(true);
    expect([dv.getUint8(19 * 4 + 13), dv.getUint32(19 * 4 + 14, true), dv.getUint32(19 * 4 + 18, true), dv.getUint32(19 * 4 + 22, true)]).toEqual([3, 0, 2, 3]);
  });

  it('CSV and JSON of a map and of curves', () => {
    const csv = mapCsv(values, positions).trim().split('\n');
    expect(csv[0]).toBe('vertex,x_mm,y_mm,z_mm,mi_bits');
    expect(csv).toHaveLength(5);
    expect(csv[3]).toBe('2,0,1,0,');
    expect(JSON.parse(mapJson({ key: 'k', title: 't', thresholdBits: 0.2 }, values)).values[2]).toBeNull();
    const curves = curvesCsv([{ key: 'gen/scale', title: 'G', xLabel: 'level', yLabel: 'P', series: [{ name: 'shape, changed', x: [0, 1], y: [0.5, 0.9] }] }]).trim().split('\n');
    expect(curves).toEqual(['curve,series,source,x_label,x,y_label,y', 'gen/scale,"shape, changed",network,level,0,P,0.5', 'gen/scale,"shape, changed",network,level,1,P,0.9']);
  });
});

describe('chart scales', () => {
  it('nice domains and ticks', () => {
    expect(niceDomain(0.013, 0.87, 5)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceDomain(1, 10, 5).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
  });
});

describe('map selection', () => {
  const base = { title: '', analysis: 'hidden-layers', feature: 'shape' as const, band: 'all', identity: 'id0', response: 'layer', mesh: 'default', offset: 0, sign: 1 as const, vertexCount: 3, thresholdBits: null, maxBits: 0, values: { id: '00000000-0000-4000-8000-000000000000', name: 'x', size: 12, contentType: '' } };
  const maps: DashboardMap[] = [
    { ...base, key: 'a', layer: 'block2', layerIndex: 2, poseYawDeg: 0 },
    { ...base, key: 'b', layer: 'block1', layerIndex: 1, poseYawDeg: 0 },
    { ...base, key: 'c', layer: 'block1', layerIndex: 1, poseYawDeg: 30, feature: 'texture' },
  ];
  it('orders layers by depth and keeps choices that still exist', () => {
    expect(optionsFor(maps, { analysis: 'hidden-layers', feature: 'shape' }, 'layer')).toEqual(['block1', 'block2']);
    expect(resolveChoice(maps, { feature: 'shape', layer: 'block2' }).map?.key).toBe('a');
    // Switching to texture keeps the layer where it exists and falls back to the first otherwise.
    expect(resolveChoice(maps, { feature: 'texture', layer: 'block2' }).map?.key).toBe('c');
  });

  it('the pose selector: enabled with several poses, else disabled saying where poses are', () => {
    const pose = (key: string, response: string, yaw: number, analysis = 'pose-invariance') => ({ ...base, key, analysis, response, layer: 'block1', layerIndex: 1, poseYawDeg: yaw });
    const withPoses: DashboardMap[] = [pose('p0', 'per pose', -30), pose('p1', 'per pose', 0), pose('p2', 'per pose', 30), pose('c', 'conditional', 0)];
    const perPose = resolveChoice(withPoses, { response: 'per pose' }).choice;
    expect(poseAvailability(withPoses, perPose)).toEqual({ poses: [-30, 0, 30], enabled: true, reason: null });
    const cond = poseAvailability(withPoses, resolveChoice(withPoses, { response: 'conditional' }).choice);
    expect(cond).toEqual({ poses: [0], enabled: false, reason: 'This map is for one pose (0°); poses exist for Response = "per pose" (3 poses).' });
    // From another analysis the hint names the analysis too; a run with no per-pose map says so.
    const mixed = [...withPoses, { ...base, key: 'rc', analysis: 'reverse-correlation', response: 'logit', layer: 'output', layerIndex: 0, poseYawDeg: 0 }];
    expect(poseAvailability(mixed, resolveChoice(mixed, { analysis: 'reverse-correlation' }).choice).reason).toBe('This map is for one pose (0°); poses exist for Pose invariance, Response = "per pose" (3 poses).');
    expect(poseAvailability(maps, resolveChoice(maps, {}).choice)).toMatchObject({ enabled: false, reason: 'This map is for one pose (0°); this run has no per-pose maps (the pose-invariance analysis was not run).' });
  });
});
