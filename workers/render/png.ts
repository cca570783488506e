/** A minimal PNG encoder (8-bit RGB, no interlace) on node:zlib, and an image grid helper. */
import { deflateSync } from 'node:zlib';
import { writeFileAtomicSync } from '../util';

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes Uint8 RGB [height][width][3] as PNG bytes. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`encodePng: rgb has ${rgb.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB
  const sig = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Writes a PNG atomically. */
export function writePng(file: string, rgb: Uint8Array, width: number, height: number): void {
  writeFileAtomicSync(file, encodePng(rgb, width, height));
}

/** Tiles square Uint8 RGB images (each size × size) into a grid with `cols` columns and a `gap` px border. */
export function tileImages(images: Uint8Array[], size: number, cols: number, gap = 2, fill = 255): { rgb: Uint8Array; width: number; height: number } {
  const rows = Math.ceil(images.length / cols);
  const width = cols * size + (cols + 1) * gap;
  const height = rows * size + (rows + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(fill);
  images.forEach((img, i) => {
    const ox = gap + (i % cols) * (size + gap), oy = gap + Math.floor(i / cols) * (size + gap);
    for (let y = 0; y < size; y++) rgb.set(img.subarray(y * size * 3, (y + 1) * size * 3), ((oy + y) * width + ox) * 3);
  });
  return { rgb, width, height };
}
