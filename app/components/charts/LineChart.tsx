'use client';

import { useId } from 'react';
import { extent, formatTick, linearScale, niceDomain } from './scale';

export interface ChartSeries {
  name: string;
  x: number[];
  y: number[];
  /** Human data is drawn dashed, the baseline observer dotted, beside the network's curves. */
  source?: 'network' | 'human' | 'baseline';
  /** Per point: significant points get a ring (e.g. co-information with permutation p ≤ 0.05). */
  significant?: boolean[];
}

const DASH = { network: undefined, human: '6 4', baseline: '2 3' } as const;

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export interface LineChartProps {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Fixed y range (e.g. [0, 1] for probabilities); default: from the data. */
  yDomain?: [number, number];
  /** Horizontal reference line (e.g. chance level, P = 0.5). */
  reference?: { y: number; label: string };
  /** Vertical marker at x (e.g. the layer shown in the viewer). */
  markerX?: number | null;
  width?: number;
  height?: number;
  /** A sentence shown under the chart. */
  note?: string;
}

/**
 * A line chart in plain SVG: training curves, generalisation curves, information versus depth.
 * Points are marked (the curves have few levels), the legend names every series, and the SVG has
 * a title and description for screen readers.
 */
export function LineChart({ title, xLabel, yLabel, series, yDomain, reference, markerX, width = 460, height = 280, note }: LineChartProps) {
  const id = useId();
  const m = { top: 16, right: 16, bottom: 44, left: 56 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const xs = niceDomain(...extent(...series.map((s) => s.x)), 6);
  const yExt = yDomain ?? extent(...series.map((s) => s.y), reference ? [reference.y] : []);
  const ys = yDomain ? { domain: yDomain, ticks: niceDomain(yDomain[0], yDomain[1], 5).ticks.filter((t) => t >= yDomain[0] - 1e-9 && t <= yDomain[1] + 1e-9) } : niceDomain(yExt[0], yExt[1], 5);
  const sx = linearScale(xs.domain, [0, w]);
  const sy = linearScale(ys.domain, [h, 0]);
  const empty = series.every((s) => s.x.length === 0);
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${id}-t ${id}-d`} style={{ maxWidth: width }}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{`${yLabel} against ${xLabel}; series: ${series.map((s) => s.name).join(', ')}`}</desc>
        <g transform={`translate(${m.left},${m.top})`}>
          {ys.ticks.map((t) => (
            <g key={`y${t}`} transform={`translate(0,${sy(t)})`}>
              <line x2={w} stroke="#e3e7ed" />
              <text x={-8} dy="0.32em" textAnchor="end" fontSize={11} fill="#4d5b6b">
                {formatTick(t)}
              </text>
            </g>
          ))}
          {xs.ticks.map((t) => (
            <g key={`x${t}`} transform={`translate(${sx(t)},${h})`}>
              <line y2={5} stroke="#4d5b6b" />
              <text y={18} textAnchor="middle" fontSize={11} fill="#4d5b6b">
                {formatTick(t)}
              </text>
            </g>
          ))}
          <line y1={h} y2={h} x2={w} stroke="#4d5b6b" />
          <line y2={h} stroke="#4d5b6b" />
          {reference && (
            <g>
              <line x2={w} y1={sy(reference.y)} y2={sy(reference.y)} stroke="#8a96a3" strokeDasharray="2 3" />
              <text x={w} y={sy(reference.y) - 4} textAnchor="end" fontSize={10} fill="#4d5b6b">
                {reference.label}
              </text>
            </g>
          )}
          {markerX !== undefined && markerX !== null && <line x1={sx(markerX)} x2={sx(markerX)} y2={h} stroke="#f5a623" strokeWidth={2} />}
          {series.map((s, i) => {
            const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
            const pts = s.x.map((x, k) => [x, s.y[k]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
            return (
              <g key={s.name} data-series={s.name}>
                <polyline fill="none" stroke={colour} strokeWidth={2} strokeDasharray={DASH[s.source ?? 'network']} points={pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')} />
                {s.x.map((x, k) => {
                  const y = s.y[k]!;
                  if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
                  const sig = s.significant?.[k] === true;
                  return (
                    <g key={k} data-significant={sig ? 'true' : undefined}>
                      {sig && <circle cx={sx(x)} cy={sy(y)} r={7} fill="none" stroke={colour} strokeWidth={1.5} />}
                      <circle cx={sx(x)} cy={sy(y)} r={3} fill={s.source === 'network' || s.source === undefined ? colour : '#fff'} stroke={colour} strokeWidth={1.5}>
                        <title>{`${s.name}: ${formatTick(x)}, ${formatTick(y)}${sig ? ' (significant, p ≤ 0.05)' : ''}`}</title>
                      </circle>
                    </g>
                  );
                })}
              </g>
            );
          })}
          {empty && (
            <text x={w / 2} y={h / 2} textAnchor="middle" fill="#4d5b6b">
              No data yet
            </text>
          )}
          <text x={w / 2} y={h + 38} textAnchor="middle" fontSize={12} fill="#16202c">
            {xLabel}
          </text>
          <text transform={`translate(${-42},${h / 2}) rotate(-90)`} textAnchor="middle" fontSize={12} fill="#16202c">
            {yLabel}
          </text>
        </g>
      </svg>
      <ul className="chart-legend">
        {series.map((s, i) => (
          <li key={s.name}>
            <svg width="22" height="10" aria-hidden="true">
              <line x1="1" x2="21" y1="5" y2="5" stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]} strokeWidth={2} strokeDasharray={DASH[s.source ?? 'network']} />
            </svg>
            {s.name}
          </li>
        ))}
        {series.some((s) => s.significant?.some(Boolean)) && <li>○ ringed point: significant (permutation p ≤ 0.05)</li>}
      </ul>
      {note && <p className="chart-note">{note}</p>}
    </figure>
  );
}
