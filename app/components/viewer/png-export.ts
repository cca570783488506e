import { colormapHex, type ColormapName } from './colormap';
import { BELOW_THRESHOLD_RGB } from './map-data';
import { formatTick, niceDomain } from '../charts/scale';

/**
 * PNG of the current view: the viewer canvases side by side on white, a title, and the colour
 * scale in bits with the threshold, so an exported figure is self-explaining.
 */
export async function composeViewPng(canvases: HTMLCanvasElement[], opts: { title: string; subtitles: string[]; minBits: number; maxBits: number; thresholdBits: number | null; colormap: ColormapName }): Promise<Blob> {
  const scale = 1;
  const cw = canvases.reduce((s, c) => s + c.width, 0);
  const ch = Math.max(...canvases.map((c) => c.height));
  const top = 56, bottom = 86;
  const out = document.createElement('canvas');
  out.width = Math.max(cw, 480) * scale;
  out.height = (ch + top + bottom) * scale;
  const g = out.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = '#16202c';
  g.font = '600 20px system-ui, sans-serif';
  g.fillText(opts.title, 16, 30);
  let x = 0;
  canvases.forEach((c, i) => {
    g.font = '14px system-ui, sans-serif';
    g.fillStyle = '#4d5b6b';
    g.fillText(opts.subtitles[i] ?? '', x + 16, 50);
    g.drawImage(c, x, top);
    x += c.width;
  });
  // Colour bar.
  const bw = Math.min(420, out.width - 32), bx = 16, by = top + ch + 16, bh = 16;
  const grad = g.createLinearGradient(bx, 0, bx + bw, 0);
  for (let i = 0; i <= 10; i++) grad.addColorStop(i / 10, colormapHex(opts.colormap, i / 10));
  g.fillStyle = grad;
  g.fillRect(bx, by, bw, bh);
  const span = opts.maxBits - opts.minBits || 1;
  const px = (b: number) => bx + ((b - opts.minBits) / span) * bw;
  if (opts.thresholdBits !== null && opts.thresholdBits > opts.minBits) {
    g.fillStyle = `rgb(${BELOW_THRESHOLD_RGB.map((c) => Math.round(c * 255)).join(',')})`;
    g.fillRect(bx, by, Math.min(bw, px(opts.thresholdBits) - bx), bh);
    g.fillStyle = '#16202c';
    g.fillRect(px(opts.thresholdBits) - 1, by - 4, 2, bh + 8);
  }
  g.strokeStyle = '#4d5b6b';
  g.strokeRect(bx, by, bw, bh);
  g.fillStyle = '#16202c';
  g.font = '12px system-ui, sans-serif';
  g.textAlign = 'center';
  for (const t of niceDomain(opts.minBits, opts.maxBits, 4).ticks.filter((t) => t >= opts.minBits && t <= opts.maxBits)) g.fillText(formatTick(t), px(t), by + bh + 16);
  g.textAlign = 'left';
  g.fillText(`mutual information (bits)${opts.thresholdBits !== null ? `; grey: below ${formatTick(opts.thresholdBits)} bits` : ''}`, bx, by + bh + 36);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}
