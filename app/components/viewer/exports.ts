/**
 * Exports of what the dashboard shows: a PLY mesh with the map as vertex colours and as a scalar
 * property, CSV and JSON of maps and curves. Pure functions (bytes and strings); the components
 * hand them to downloadBlob.
 */

export interface CurveLike {
  key: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; x: number[]; y: number[]; source?: string }[];
}

/**
 * Binary little-endian PLY: vertex x, y, z (float, mm), red, green, blue (uchar), mi_bits (float,
 * NaN where a vertex has no value); faces as uchar-counted uint index lists. Opens in MeshLab,
 * Blender and CloudCompare, which show the colours and can re-colour by the scalar.
 */
export function encodePly(positions: Float32Array, triangles: Uint32Array, values: Float32Array, colors: Float32Array, comment = 'Deeper information map (bits)'): Uint8Array {
  const V = positions.length / 3, T = triangles.length / 3;
  if (values.length !== V || colors.length !== V * 3) throw new RangeError(`encodePly: ${V} vertices but ${values.length} values and ${colors.length / 3} colours`);
  const header =
    `ply\nformat binary_little_endian 1.0\ncomment ${comment.replace(/[\r\n]/g, ' ')}\n` +
    `element vertex ${V}\nproperty float x\nproperty float y\nproperty float z\n` +
    `property uchar red\nproperty uchar green\nproperty uchar blue\nproperty float mi_bits\n` +
    `element face ${T}\nproperty list uchar uint vertex_indices\nend_header\n`;
  const head = new TextEncoder().encode(header);
  const vertexBytes = 3 * 4 + 3 + 4;
  const out = new Uint8Array(head.length + V * vertexBytes + T * 13);
  out.set(head, 0);
  const dv = new DataView(out.buffer);
  let o = head.length;
  for (let v = 0; v < V; v++) {
    dv.setFloat32(o, positions[v * 3]!, true);
    dv.setFloat32(o + 4, positions[v * 3 + 1]!, true);
    dv.setFloat32(o + 8, positions[v * 3 + 2]!, true);
    for (let c = 0; c < 3; c++) dv.setUint8(o + 12 + c, Math.round(Math.min(1, Math.max(0, colors[v * 3 + c]!)) * 255));
    dv.setFloat32(o + 15, values[v]!, true);
    o += vertexBytes;
  }
  for (let t = 0; t < T; t++) {
    dv.setUint8(o, 3);
    for (let k = 0; k < 3; k++) dv.setUint32(o + 1 + 4 * k, triangles[t * 3 + k]!, true);
    o += 13;
  }
  return out;
}

/**
 * Why a map has values below 0 bits (the same text as NEGATIVE_MI_NOTE in workers/contract/result-bundles.ts,
 * which the app may import by type only). Exports state it, with the count; values are never clamped.
 */
export const NEGATIVE_MI_NOTE =
  'Values below 0 bits are bias-corrected Gaussian-copula estimates (Ince et al. 2017): the estimator subtracts its expected upward bias, ' +
  'so a vertex that carries no information scatters around 0, half of the time below it. A negative value means "no detectable information", ' +
  'not negative information; values are exported as estimated, never clamped to 0.';

function negativeCount(values: Float32Array): { count: number; minBits: number } {
  let count = 0, minBits = 0;
  for (const x of values) if (Number.isFinite(x) && x < 0) { count++; if (x < minBits) minBits = x; }
  return { count, minBits };
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : '');
const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * One row per vertex: vertex, x_mm, y_mm, z_mm, mi_bits (empty where no value), after a '#' comment
 * line that explains values below 0 bits (NEGATIVE_MI_NOTE) when the map has any.
 */
export function mapCsv(values: Float32Array, positions: Float32Array): string {
  const neg = negativeCount(values);
  const rows = neg.count > 0 ? [`# ${neg.count} vertices below 0 bits (min ${neg.minBits}). ${NEGATIVE_MI_NOTE}`, 'vertex,x_mm,y_mm,z_mm,mi_bits'] : ['vertex,x_mm,y_mm,z_mm,mi_bits'];
  for (let v = 0; v < values.length; v++) rows.push(`${v},${num(positions[v * 3]!)},${num(positions[v * 3 + 1]!)},${num(positions[v * 3 + 2]!)},${num(values[v]!)}`);
  return `${rows.join('\n')}\n`;
}

/**
 * A map as a self-describing JSON document: its key and facets, the noise basis, the run (and
 * network facts) it came from, units, and, when given, the vertex positions beside the values
 * (vertex i's value is values[i], its position positions[i]). negativeValues (count, minBits) and
 * negativeNote explain values below 0 bits (bias-corrected estimates, never clamped).
 */
export function mapJson(
  map: { key: string; title: string; thresholdBits: number | null; basis?: string } & Partial<Record<'analysis' | 'feature' | 'band' | 'identity' | 'layer' | 'response' | 'mesh', string> & Record<'layerIndex' | 'poseYawDeg', number>>,
  values: Float32Array,
  context: { positions?: Float32Array; run?: unknown } = {},
): string {
  const { positions, run } = context;
  const facets = Object.fromEntries((['analysis', 'feature', 'band', 'identity', 'layer', 'layerIndex', 'response', 'poseYawDeg', 'mesh'] as const).filter((k) => map[k] !== undefined).map((k) => [k, map[k]]));
  return JSON.stringify({
    format: 'deeper-information-map/1',
    key: map.key,
    title: map.title,
    map: facets,
    ...(run ? { run } : {}),
    unit: 'bits',
    ...(map.basis ? { basis: map.basis } : {}),
    units: { values: 'bits (mutual information, Gaussian-copula estimate)', thresholdBits: 'bits', positions: 'mm (x right, y up, z towards the viewer)', poseYawDeg: 'degrees' },
    thresholdBits: map.thresholdBits,
    thresholdMeaning: map.thresholdBits === null ? 'no permutation test' : 'family-wise error threshold (maximum statistic over vertices, alpha 0.05)',
    negativeValues: negativeCount(values),
    negativeNote: NEGATIVE_MI_NOTE,
    vertexCount: values.length,
    ...(positions ? { positions: Array.from({ length: Math.floor(positions.length / 3) }, (_, i) => [positions[i * 3]!, positions[i * 3 + 1]!, positions[i * 3 + 2]!]) } : {}),
    values: Array.from(values, (x) => (Number.isFinite(x) ? x : null)),
  });
}

/** Long format, one row per point: curve, series, source, x, y (with the axis labels in the header comment). */
export function curvesCsv(curves: CurveLike[]): string {
  const rows = ['curve,series,source,x_label,x,y_label,y'];
  for (const c of curves)
    for (const s of c.series)
      s.x.forEach((x, i) => rows.push([c.key, s.name, s.source ?? 'network', c.xLabel, num(x), c.yLabel, num(s.y[i] ?? NaN)].map((f) => csvField(String(f))).join(',')));
  return `${rows.join('\n')}\n`;
}

export function curvesJson(curves: CurveLike[]): string {
  return JSON.stringify(curves, null, 1);
}

/** Saves bytes or text as a file in the browser. */
export function downloadBlob(data: Uint8Array | string, filename: string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a map or curve key. */
export function fileSafe(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100) || 'export';
}
