'use client';

import { useId } from 'react';
import { colormapHex, type ColormapName } from './colormap';
import { BELOW_THRESHOLD_RGB } from './map-data';
import { formatTick, niceDomain } from '../charts/scale';

/** The colour scale in bits: gradient, ticks, the threshold mark and the grey "below threshold" swatch. */
/** The legend's explanation of values below 0 bits (exports.ts NEGATIVE_MI_NOTE says the same at length). */
export function negativeLegendNote(negative: number, minBits: number): string | null {
  if (!(negative > 0)) return null;
  return `${negative.toLocaleString('en-GB')} vertices are below 0 bits (down to ${formatTick(minBits)}): bias-corrected estimates scatter around 0 where there is no information; they mean "none detected", not negative information, and are drawn in the lowest colour, not changed.`;
}

export function Legend({ minBits, maxBits, thresholdBits, colormap, width = 320, negative = 0, negativeMinBits = 0, unit = 'bits' }: { minBits: number; maxBits: number; thresholdBits: number | null; colormap: ColormapName; width?: number; negative?: number; negativeMinBits?: number; unit?: string }) {
  const note = negativeLegendNote(negative, negativeMinBits);
  return (
    <div className="legend-block">
      <LegendBar minBits={minBits} maxBits={maxBits} thresholdBits={thresholdBits} colormap={colormap} width={width} unit={unit} />
      {note && <p className="muted small" data-testid="legend-negative">{note}</p>}
    </div>
  );
}

function LegendBar({ minBits, maxBits, thresholdBits, colormap, width, unit }: { minBits: number; maxBits: number; thresholdBits: number | null; colormap: ColormapName; width: number; unit: string }) {
  const id = useId();
  const h = 14, pad = 10, w = width - 2 * pad;
  const span = maxBits - minBits || 1;
  const x = (b: number) => pad + ((b - minBits) / span) * w;
  const ticks = niceDomain(minBits, maxBits, 4).ticks.filter((t) => t >= minBits - 1e-12 && t <= maxBits + 1e-12);
  const grey = `rgb(${BELOW_THRESHOLD_RGB.map((c) => Math.round(c * 255)).join(',')})`;
  return (
    <svg className="legend" viewBox={`0 0 ${width} 58`} width={width} role="img" aria-label={`Colour scale from ${formatTick(minBits)} to ${formatTick(maxBits)} ${unit}${thresholdBits !== null ? `, threshold ${formatTick(thresholdBits)} ${unit}` : ''}`}>
      <defs>
        <linearGradient id={`${id}-g`} x1="0" x2="1" y1="0" y2="0">
          {Array.from({ length: 11 }, (_, i) => (
            <stop key={i} offset={`${i * 10}%`} stopColor={colormapHex(colormap, i / 10)} />
          ))}
        </linearGradient>
      </defs>
      <rect x={pad} y={4} width={w} height={h} fill={`url(#${id}-g)`} stroke="#4d5b6b" strokeWidth={0.5} />
      {thresholdBits !== null && thresholdBits > minBits && (
        <rect x={pad} y={4} width={Math.min(w, x(thresholdBits) - pad)} height={h} fill={grey} opacity={0.92} />
      )}
      {thresholdBits !== null && thresholdBits >= minBits && thresholdBits <= maxBits && (
        <line x1={x(thresholdBits)} x2={x(thresholdBits)} y1={1} y2={h + 7} stroke="#16202c" strokeWidth={2} />
      )}
      {ticks.map((t) => (
        <g key={t} transform={`translate(${x(t)},${h + 4})`}>
          <line y2={4} stroke="#4d5b6b" />
          <text y={16} textAnchor="middle" fontSize={11} fill="#16202c">
            {formatTick(t)}
          </text>
        </g>
      ))}
      <text x={width - pad} y={54} textAnchor="end" fontSize={11} fill="#4d5b6b">
        {unit === 'bits' ? 'mutual information (bits)' : `|attribution| (${unit})`}
      </text>
    </svg>
  );
}
