'use client';

import { useEffect, useState } from 'react';
import type { ResponseBinsLinks } from '@/workers/contract';
import { formatTick, linearScale, niceDomain } from '../charts/scale';
import { fetchArrayBuffer } from './map-data';
import { formatP, vertexBins } from './vertex-bins';

/**
 * What a clicked vertex's information is about (issue 14): the mean response in equal-count bins of
 * the vertex's feature (displacement along the normal in mm, or albedo luminance change), as the
 * analysis stored them (workers/analyses/vertex-summary.ts). Arrays: featureMean, responseMean
 * Float32 [V][B], count Int32 [V][B]; this draws row `vertex`.
 */

type Loaded = { featureMean: Float32Array; responseMean: Float32Array; count: Int32Array };

function useBins(links: ResponseBinsLinks | undefined, urlOf: (id: string) => string): { data: Loaded | null; error: string | null } {
  const [state, setState] = useState<{ key: string; data: Loaded | null; error: string | null }>({ key: '', data: null, error: null });
  const key = links ? `${links.featureMean.id}|${links.responseMean.id}|${links.count.id}` : '';
  useEffect(() => {
    if (!links) return;
    let live = true;
    Promise.all([fetchArrayBuffer(urlOf(links.featureMean.id)), fetchArrayBuffer(urlOf(links.responseMean.id)), fetchArrayBuffer(urlOf(links.count.id))])
      .then(([f, r, c]) => live && setState({ key, data: { featureMean: new Float32Array(f), responseMean: new Float32Array(r), count: new Int32Array(c) }, error: null }))
      .catch((e: unknown) => live && setState({ key, data: null, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key identifies the arrays
  }, [key]);
  return state.key === key ? state : { data: null, error: null };
}

const W = 320, H = 190, M = { left: 48, right: 10, top: 10, bottom: 40 };

/** The small plot under the viewer; a note when the map has no stored bins or the vertex no noise. */
export function ResponsePlot({ vertex, links, urlOf, pValue }: { vertex: number; links: ResponseBinsLinks | undefined; urlOf: (id: string) => string; pValue: number | null }) {
  const { data, error } = useBins(links, urlOf);
  const head = (
    <p className="small" style={{ margin: '0 0 0.25rem' }}>
      Vertex <strong>{vertex}</strong>
      {pValue !== null && Number.isFinite(pValue) ? ` · p = ${formatP(pValue)} (FWER-corrected)` : ''}
    </p>
  );
  if (!links) {
    return (
      <div className="response-plot" data-testid="vertex-response-plot" data-state="none">
        {head}
        <p className="small muted">This map stores no binned responses (an analysis written before they were kept, or not a reverse-correlation map).</p>
      </div>
    );
  }
  if (error) return <p className="error small" role="alert">Could not load the binned responses: {error}</p>;
  if (!data) return <p className="small muted response-plot" data-testid="vertex-response-plot" data-state="loading">Loading the binned responses…</p>;
  const b = vertexBins(data.featureMean, data.responseMean, data.count, vertex, links.bins);
  if (b.x.length < 2) {
    return (
      <div className="response-plot" data-testid="vertex-response-plot" data-state="empty">
        {head}
        <p className="small muted">No noise moves this vertex: its feature never varies, so there is nothing to plot.</p>
      </div>
    );
  }
  const xd = niceDomain(Math.min(...b.x), Math.max(...b.x), 4);
  const yd = niceDomain(Math.min(...b.y), Math.max(...b.y), 4);
  const sx = linearScale(xd.domain, [M.left, W - M.right]);
  const sy = linearScale(yd.domain, [H - M.bottom, M.top]);
  const path = b.x.map((x, i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(b.y[i]!).toFixed(1)}`).join('');
  const total = b.n.reduce((a, c) => a + c, 0);
  return (
    <figure className="response-plot" data-testid="vertex-response-plot" data-state="plot" data-vertex={vertex} data-bins={b.x.length} style={{ margin: 0 }}>
      {head}
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${links.responseLabel} against ${links.featureLabel} at vertex ${vertex}`}>
        <rect x={M.left} y={M.top} width={W - M.left - M.right} height={H - M.top - M.bottom} fill="none" stroke="#ccc" />
        {xd.ticks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={H - M.bottom} y2={H - M.bottom + 4} stroke="#888" />
            <text x={sx(t)} y={H - M.bottom + 14} fontSize={10} textAnchor="middle">{formatTick(t)}</text>
          </g>
        ))}
        {yd.ticks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left - 4} x2={M.left} y1={sy(t)} y2={sy(t)} stroke="#888" />
            <text x={M.left - 6} y={sy(t) + 3} fontSize={10} textAnchor="end">{formatTick(t)}</text>
          </g>
        ))}
        <path d={path} fill="none" stroke="#3b5b92" strokeWidth={1.5} />
        {b.x.map((x, i) => (
          <circle key={i} cx={sx(x)} cy={sy(b.y[i]!)} r={3} fill="#3b5b92">
            <title>{`bin ${i + 1}: ${formatTick(x)} → ${b.y[i]!.toFixed(3)} (${b.n[i]} trials)`}</title>
          </circle>
        ))}
        <text x={(M.left + W - M.right) / 2} y={H - 6} fontSize={10} textAnchor="middle" data-testid="response-plot-x-label">{links.featureLabel}</text>
        <text x={12} y={(M.top + H - M.bottom) / 2} fontSize={10} textAnchor="middle" transform={`rotate(-90 12 ${(M.top + H - M.bottom) / 2})`}>{links.responseLabel}</text>
      </svg>
      <figcaption className="small muted">{b.x.length} equal-count bins of the feature ({total.toLocaleString('en-GB')} trials); each point is the bin&apos;s mean.</figcaption>
    </figure>
  );
}
