/**
 * Derives the shipped built-in ICT shape file workers/faces/ict/ict-facekit.bin from the ICT-FaceKit
 * data in ../shared/facemodels/ict-facekit (MIT, USC ICT). Run once: `npx tsx scripts/build-ict-builtin.ts [dir]`.
 *
 * Kept parts (ICT vertex ranges): face 0..9408, head and neck 9409..11247, mouth socket
 * 11248..13293, eye sockets 13294..14061, one eyeball shell per eye (21451..22220 left,
 * 23021..23790 right). Dropped: the teeth (17039..21450: with identity shape variation they show
 * through closed lips), gums and tongue (14062..17038: hidden behind closed lips, 16 % of the
 * triangles; an open mouth shows the dark mouth socket, which is enough at 64-224 px), the second
 * (cornea) shell, lacrimal fluid, eye blend / occlusion shells and the lashes (transparent or hair-like in ICT's
 * own renderer; opaque here they would hide the eyes).
 * Units: cm in ICT, mm in the output. Identity modes are quantised to int8 with one scale per mode;
 * expressions are kept only for the shapes the AU table uses, sparse (vertices that move > 1 µm).
 * The file layout is documented in workers/faces/ict/ict-file.ts.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeIctFile, ICT_EXPRESSIONS_USED, type IctPart, type IctSource } from '../workers/faces/ict/ict-file';
import { writeFileAtomic } from '../workers/faces/ict/model-cache';

const dir = process.argv[2] ?? path.resolve('../shared/facemodels/ict-facekit');
const outDir = path.resolve('workers/faces/ict');
const CM_TO_MM = 10;

const PARTS: { name: IctPart; from: number; to: number }[] = [
  { name: 'face', from: 0, to: 9408 },
  { name: 'head', from: 9409, to: 11247 },
  { name: 'mouth_socket', from: 11248, to: 13293 },
  { name: 'eye_socket', from: 13294, to: 14061 },
  { name: 'left_eyeball', from: 21451, to: 22220 },
  { name: 'right_eyeball', from: 23021, to: 23790 },
];

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function readF16(file: string, modes: number, Vall: number): Float32Array[] {
  const buf = readFileSync(file);
  const per = Vall * 3;
  if (buf.length !== modes * per * 2) throw new Error(`${file}: ${buf.length} bytes, expected ${modes * per * 2}`);
  const out: Float32Array[] = [];
  for (let m = 0; m < modes; m++) {
    const a = new Float32Array(per);
    for (let i = 0; i < per; i++) a[i] = halfToFloat(buf.readUInt16LE((m * per + i) * 2));
    out.push(a);
  }
  return out;
}

function main() {
  const header = JSON.parse(readFileSync(path.join(dir, 'full/ict-facekit-full.json'), 'utf8'));
  const Vall: number = header.vertexCount;
  const vi = JSON.parse(readFileSync(path.join(dir, 'vertex_indices.json'), 'utf8'));
  const pos: number[] = [];
  const faces: number[][] = [];
  for (const l of readFileSync(path.join(dir, 'generic_neutral_mesh.obj'), 'utf8').split('\n')) {
    if (l.startsWith('v ')) pos.push(...l.trim().split(/\s+/).slice(1, 4).map(Number));
    else if (l.startsWith('f ')) faces.push(l.trim().split(/\s+/).slice(1).map((t) => Number.parseInt(t.split('/')[0], 10) - 1));
  }
  if (pos.length !== Vall * 3) throw new Error(`neutral mesh has ${pos.length / 3} vertices, header says ${Vall}`);
  // Old index -> new index.
  const map = new Int32Array(Vall).fill(-1);
  const kept: number[] = [];
  const part: number[] = [];
  PARTS.forEach((p, pi) => { for (let v = p.from; v <= p.to; v++) { map[v] = kept.length; kept.push(v); part.push(pi); } });
  const V = kept.length;
  const tris: number[] = [];
  for (const f of faces) {
    if (f.some((i) => map[i] < 0)) continue;
    for (let k = 1; k + 1 < f.length; k++) tris.push(map[f[0]], map[f[k]], map[f[k + 1]]);
  }
  const mean = new Float32Array(V * 3);
  kept.forEach((o, n) => { for (let c = 0; c < 3; c++) mean[n * 3 + c] = pos[o * 3 + c] * CM_TO_MM; });
  const crop = (a: Float32Array) => {
    const out = new Float32Array(V * 3);
    kept.forEach((o, n) => { for (let c = 0; c < 3; c++) out[n * 3 + c] = a[o * 3 + c] * CM_TO_MM; });
    return out;
  };
  const identities = readF16(path.join(dir, 'full', header.files.identities), header.identities.length, Vall).map(crop);
  const exprAll = readF16(path.join(dir, 'full', header.files.expressions), header.expressions.length, Vall);
  const expressions: Record<string, Float32Array> = {};
  for (const name of ICT_EXPRESSIONS_USED) {
    const i = header.expressions.indexOf(name);
    if (i < 0) throw new Error(`expression ${name} is not in ${dir}/full`);
    expressions[name] = crop(exprAll[i]);
  }
  const landmarks68 = (vi.idx_to_landmark_verts as number[]).map((o) => {
    if (map[o] < 0) throw new Error(`landmark vertex ${o} is not kept`);
    return map[o];
  });
  const source: IctSource = {
    mean, triangles: Uint32Array.from(tris), part: Uint8Array.from(part), parts: PARTS.map((p) => p.name),
    identities, expressions, landmarks68, provenance: header.source,
  };
  const { bytes, report } = encodeIctFile(source);
  writeFileAtomic(path.join(outDir, 'ict-facekit.bin'), bytes);
  copyFileSync(path.join(dir, 'LICENSE'), path.join(outDir, 'LICENSE-ICT-FaceKit'));
  console.log(JSON.stringify({ vertices: V, triangles: tris.length / 3, bytes: bytes.length, ...report }, null, 1));
}

main();
