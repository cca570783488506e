'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import type { DashboardMap, DashboardMesh, DashboardPin, MeshRegions } from '@/workers/contract';
import { regionOfVertex } from './read-mesh-regions';
import { COLORMAPS, type ColormapName } from './colormap';
import dynamic from 'next/dynamic';
import type { ViewerPin } from './FaceViewer';
import { Legend } from './Legend';
import { mapStats, vertexColors } from './map-data';
import { analysisLabel, choiceOf, optionsFor, poseAvailability, resolveChoice, type Dimension, type MapChoice } from './map-selection';
import { useMapData } from './use-map-data';
import { composeViewPng } from './png-export';
import { downloadBlob, encodePly, fileSafe, mapCsv, mapJson } from './exports';
import { formatTick } from '../charts/scale';
import { ResponsePlot } from './ResponsePlot';
import { formatP } from './vertex-bins';

/** Maps of one run (or one published snapshot) with the way to fetch their arrays. */
export interface MapSource {
  id: string;
  label: string;
  maps: DashboardMap[];
  meshes: DashboardMesh[];
  urlOf: (artifactId: string) => string;
  /** The run the maps belong to (id, name, dates, configuration facts), written into exports. */
  run?: unknown;
}

export interface VertexPick {
  vertex: number;
  position: [number, number, number];
  mapKey: string;
}

export interface MapPanelProps {
  sources: MapSource[];
  pins?: DashboardPin[];
  /** Given: clicking the face picks a vertex (to pin a comment). Absent: read-only. */
  onPick?: (pick: VertexPick) => void;
  pickedVertex?: number | null;
  /** Told which map is on screen (the depth chart marks its layer). */
  onMapChange?: (map: DashboardMap | null) => void;
  /** Open side by side with this source and map choice (e.g. human maps beside the network's). */
  initialCompare?: { sourceId: string; choice: Partial<MapChoice> };
  /** Prefix of the controls' element ids (default 'map'; a second panel on the page needs its own). */
  idPrefix?: string;
}

// three.js and react-three-fiber load as their own chunk, in parallel with the map's arrays, so
// the rest of the dashboard appears before the 3D code has arrived.
const FaceViewer = dynamic(() => import('./FaceViewer').then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="face-viewer loading" style={{ height: 460 }}>Loading the 3D viewer…</div>,
});

const DIM_LABEL: Record<Dimension, string> = { analysis: 'Analysis', feature: 'Feature', band: 'Band', identity: 'Identity', response: 'Response', layer: 'Layer', pose: 'Pose (yaw)' };

function Selector({ maps, choice, dim, onChange, idPrefix }: { maps: DashboardMap[]; choice: MapChoice; dim: Dimension; onChange: (c: Partial<MapChoice>) => void; idPrefix: string }) {
  const opts = optionsFor(maps, choice, dim);
  if (dim === 'pose') return <PoseSelector maps={maps} choice={choice} onChange={onChange} idPrefix={idPrefix} />;
  if (opts.length < 2 && dim !== 'feature') return null;
  const label = (v: string | number) => (dim === 'analysis' ? analysisLabel(String(v)) : String(v));
  if (dim === 'feature' || dim === 'analysis') {
    return (
      <div className="toggle-group" role="radiogroup" aria-label={DIM_LABEL[dim]}>
        {opts.map((v) => (
          <button key={String(v)} type="button" role="radio" aria-checked={choice[dim] === v} className={choice[dim] === v ? 'toggle on' : 'toggle'} onClick={() => onChange({ [dim]: v })}>
            {label(v)}
          </button>
        ))}
      </div>
    );
  }
  if (dim === 'layer') {
    const i = Math.max(0, opts.indexOf(choice.layer));
    return (
      <label className="control" htmlFor={`${idPrefix}-layer`}>
        <span>
          Layer: <strong>{choice.layer}</strong> ({i + 1} of {opts.length})
        </span>
        <input id={`${idPrefix}-layer`} data-testid={`${idPrefix}-layer-scrubber`} type="range" min={0} max={opts.length - 1} step={1} value={i} onChange={(e) => onChange({ layer: String(opts[Number(e.target.value)]) })} />
      </label>
    );
  }
  return (
    <label className="control" htmlFor={`${idPrefix}-${dim}`}>
      <span>{DIM_LABEL[dim]}</span>
      <select id={`${idPrefix}-${dim}`} value={String(choice[dim])} onChange={(e) => onChange({ [dim]: e.target.value })}>
        {opts.map((v) => (
          <option key={String(v)} value={String(v)}>
            {label(v)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Always shown: disabled, with the reason and where poses are, when the chosen map has a single pose. */
function PoseSelector({ maps, choice, onChange, idPrefix }: { maps: DashboardMap[]; choice: MapChoice; onChange: (c: Partial<MapChoice>) => void; idPrefix: string }) {
  const { poses, enabled, reason } = poseAvailability(maps, choice);
  const id = `${idPrefix}-pose`;
  return (
    <label className="control" htmlFor={id}>
      <span>{DIM_LABEL.pose}</span>
      <select id={id} data-testid={id} value={String(choice.pose)} disabled={!enabled} aria-describedby={reason ? `${id}-why` : undefined} onChange={(e) => onChange({ pose: Number(e.target.value) })}>
        {poses.map((v) => (
          <option key={v} value={String(v)}>
            {v}°
          </option>
        ))}
      </select>
      {reason && (
        <span id={`${id}-why`} className="small muted" data-testid={`${id}-why`}>
          {reason}
        </span>
      )}
    </label>
  );
}

function Selectors({ maps, choice, onChange, idPrefix }: { maps: DashboardMap[]; choice: MapChoice; onChange: (c: Partial<MapChoice>) => void; idPrefix: string }) {
  return (
    <div className="selectors">
      {(['analysis', 'feature', 'band', 'identity', 'response', 'layer', 'pose'] as const).map((d) => (
        <Selector key={d} maps={maps} choice={choice} dim={d} onChange={onChange} idPrefix={idPrefix} />
      ))}
    </div>
  );
}

function meshOf(source: MapSource | undefined, map: DashboardMap | null): DashboardMesh | null {
  return (map && source?.meshes.find((m) => m.key === map.mesh)) ?? null;
}

/**
 * What the pointer is on: the vertex, its position (mm), its information (bits) and whether it
 * passes the map's family-wise error threshold (maximum-statistic permutation test, α = 0.05).
 */
function HoverReadout({ vertex, data, map }: { vertex: number | null; data: { positions: Float32Array; values: Float32Array; regions: MeshRegions | null; pValues: Float32Array | null } | null; map: DashboardMap | null }) {
  if (vertex === null || !data || !map || vertex >= data.values.length) {
    return (
      <p className="small muted hover-readout" data-testid="hover-readout">
        Point at the face to read a vertex.
      </p>
    );
  }
  const bits = data.values[vertex]!;
  const [x, y, z] = [data.positions[vertex * 3]!, data.positions[vertex * 3 + 1]!, data.positions[vertex * 3 + 2]!].map((c) => c.toFixed(1));
  const region = data.regions ? (regionOfVertex(data.regions, vertex) ?? 'no named region') : 'regions not stored';
  const t = map.thresholdBits;
  const unit = map.unit ?? 'bits';
  const test = t === null ? 'no permutation test' : bits >= t ? `significant (≥ FWER threshold ${formatTick(t)} ${unit})` : `not significant (< FWER threshold ${formatTick(t)} ${unit})`;
  // the stored per-vertex p-value (max-statistic corrected), when the analysis kept them
  const p = data.pValues ? data.pValues[vertex]! : null;
  const pText = p === null ? null : Number.isFinite(p) ? `p = ${formatP(p)} (FWER-corrected)` : 'no p-value (no noise here)';
  return (
    <p className="small hover-readout" data-testid="hover-readout" data-vertex={vertex}>
      Vertex <strong>{vertex}</strong> at ({x}, {y}, {z}) mm · region <strong data-testid="hover-region">{region.replace(/_/g, ' ')}</strong> · <strong>{Number.isFinite(bits) ? `${bits.toFixed(4)} ${unit}` : 'no value'}</strong> · {test}
      {pText && (
        <>
          {' · '}
          <span data-testid="hover-p">{pText}</span>
        </>
      )}
    </p>
  );
}

/**
 * The information-map viewer with its controls: map selectors (analysis, shape/texture, band,
 * identity, response, layer scrubber, pose), the threshold slider (starting at the map's FWER
 * threshold), the colormap, a side-by-side comparison on a shared colour scale, and exports.
 */
export function MapPanel({ sources, pins = [], onPick, pickedVertex = null, onMapChange, initialCompare, idPrefix = 'map' }: MapPanelProps) {
  const cmpPrefix = idPrefix === 'map' ? 'cmp' : `${idPrefix}-cmp`;
  const primary = sources[0]!;
  const [wanted, setWanted] = useState<Partial<MapChoice>>({});
  const { choice, map } = resolveChoice(primary.maps, wanted);
  const [compare, setCompare] = useState(!!initialCompare);
  const [otherSource, setOtherSource] = useState(initialCompare?.sourceId ?? primary.id);
  const other = sources.find((s) => s.id === otherSource) ?? primary;
  const [wantedB, setWantedB] = useState<Partial<MapChoice>>(initialCompare?.choice ?? {});
  const b = resolveChoice(other.maps, { ...choice, ...wantedB });
  const [colormap, setColormap] = useState<ColormapName>('viridis');
  const [threshold, setThreshold] = useState<number | null>(null);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([null, null]);
  // The vertex under the pointer in the first viewer, for the hover readout.
  const [hover, setHover] = useState<number | null>(null);
  // The clicked vertex of the first viewer: its binned response plot is shown under the readout.
  const [clicked, setClicked] = useState<number | null>(null);

  const a = useMapData(map, meshOf(primary, map), primary.urlOf);
  const bData = useMapData(compare ? b.map : null, meshOf(other, b.map), other.urlOf);

  // The threshold starts at the map's family-wise-error threshold whenever the map changes.
  useEffect(() => {
    setThreshold(map?.thresholdBits ?? null);
    onMapChange?.(map);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map?.key]);

  const unit = map?.unit ?? 'bits';
  const statsA = useMemo(() => (a.data ? mapStats(a.data.values, threshold) : null), [a.data, threshold]);
  const statsB = useMemo(() => (compare && bData.data ? mapStats(bData.data.values, threshold) : null), [compare, bData.data, threshold]);
  // Shared colour scale: 0 to the largest value of the maps on screen.
  const maxBits = Math.max(statsA?.maxBits ?? 0, statsB?.maxBits ?? 0, 1e-6);
  const scale = { minBits: 0, maxBits, thresholdBits: threshold, colormap };
  const colorsA = useMemo(() => (a.data ? vertexColors(a.data.values, scale) : null), [a.data, maxBits, threshold, colormap]); // eslint-disable-line react-hooks/exhaustive-deps
  const colorsB = useMemo(() => (bData.data ? vertexColors(bData.data.values, scale) : null), [bData.data, maxBits, threshold, colormap]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!primary.maps.length) return <p className="muted">This run has no information maps.</p>;

  const viewerPins = (m: DashboardMap | null): ViewerPin[] =>
    pins.filter((p) => m && (p.mapKey === null || p.mapKey === m.key)).map((p, i) => ({ id: p.id, position: p.position, label: `${p.author}: ${p.body.slice(0, 60)}`, title: p.body }));
  const step = maxBits / 500;

  async function exportPng() {
    const list = compare ? [canvases.current[0], canvases.current[1]] : [canvases.current[0]];
    const cs = list.filter((c): c is HTMLCanvasElement => !!c);
    if (!cs.length || !map) return;
    const blob = await composeViewPng(cs, { title: map.title, subtitles: compare && b.map ? [`${primary.label}: ${map.title}`, `${other.label}: ${b.map.title}`] : [primary.label], ...scale });
    downloadBlob(new Uint8Array(await blob.arrayBuffer()), `${fileSafe(map.key)}.png`, 'image/png');
  }
  function exportData(kind: 'csv' | 'json' | 'ply') {
    if (!a.data || !map || !colorsA) return;
    const name = fileSafe(map.key);
    if (kind === 'csv') downloadBlob(mapCsv(a.data.values, a.data.positions), `${name}.csv`, 'text/csv');
    if (kind === 'json') downloadBlob(mapJson(map, a.data.values, { positions: a.data.positions, run: primary.run }), `${name}.json`, 'application/json');
    if (kind === 'ply') downloadBlob(encodePly(a.data.positions, a.data.triangles, a.data.values, colorsA, `Deeper ${map.title} (bits)`), `${name}.ply`, 'application/octet-stream');
  }

  const viewer = (data: typeof a.data, colors: Float32Array | null, m: DashboardMap | null, i: number, error: string | null, src: MapSource) =>
    error ? (
      <p className="error" role="alert">
        Could not load the map: {error}
      </p>
    ) : data && colors && m ? (
      <FaceViewer
        positions={data.positions}
        triangles={data.triangles}
        colors={colors}
        pins={viewerPins(m)}
        onPick={i === 0 ? (vertex, position) => (setClicked(vertex), onPick?.({ vertex, position, mapKey: m.key })) : undefined}
        onHover={i === 0 ? setHover : undefined}
        selectedVertex={i === 0 ? (pickedVertex ?? clicked) : null}
        onCanvas={(c) => (canvases.current[i] = c)}
        label={`${src.label}: ${m.title}, coloured by ${(m.unit ?? 'bits') === 'bits' ? 'mutual information in bits' : `|attribution| in ${m.unit}`}`}
        renderKey={m.key}
        height={compare ? 380 : 460}
      />
    ) : (
      <div className="face-viewer loading" style={{ height: compare ? 380 : 460 }}>
        Loading the map…
      </div>
    );

  return (
    <section className="map-panel" aria-label="Information map">
      <Selectors maps={primary.maps} choice={choice} onChange={(c) => setWanted({ ...choice, ...c })} idPrefix={idPrefix} />
      <div className="map-controls">
        <label className="control threshold" htmlFor={`${idPrefix}-threshold`}>
          <span>
            Threshold: <strong data-testid="threshold-value">{threshold === null ? 'none' : `${formatTick(threshold)} ${unit}`}</strong>
            {map?.thresholdBits !== null && map?.thresholdBits !== undefined && (
              <>
                {' '}
                <button type="button" className="link-button" onClick={() => setThreshold(map.thresholdBits)} title="The family-wise error threshold of the permutation test (maximum statistic, α = 0.05)">
                  FWER {formatTick(map.thresholdBits)}
                </button>
              </>
            )}
          </span>
          <input id={`${idPrefix}-threshold`} data-testid="threshold-slider" type="range" min={0} max={maxBits} step={step} value={threshold ?? 0} onChange={(e) => setThreshold(Number(e.target.value))} />
        </label>
        <label className="control" htmlFor={`${idPrefix}-colormap`}>
          <span>Colours</span>
          <select id={`${idPrefix}-colormap`} value={colormap} onChange={(e) => setColormap(e.target.value as ColormapName)}>
            {COLORMAPS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label className="control checkbox">
          <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.target.checked)} /> Side by side
        </label>
      </div>
      <div className={compare ? 'viewer-pair' : ''}>
        <div data-testid="viewer-primary">
          {compare && <p className="viewer-caption">{map?.title}</p>}
          {viewer(a.data, colorsA, map, 0, a.error, primary)}
          {map?.note && (
            <p className="small map-note" data-testid="map-note">
              {map.note}
            </p>
          )}
          <HoverReadout vertex={hover} data={a.data} map={map} />
          {clicked !== null && map && a.data && clicked < a.data.values.length && (
            <ResponsePlot vertex={clicked} links={map.responseBins} urlOf={primary.urlOf} pValue={a.data.pValues ? a.data.pValues[clicked]! : null} />
          )}
        </div>
        {compare && (
          <div data-testid="viewer-compare">
            <div className="compare-controls">
              {sources.length > 1 && (
                <label className="control" htmlFor={`${cmpPrefix}-source`}>
                  <span>Run</span>
                  <select id={`${cmpPrefix}-source`} value={other.id} onChange={(e) => setOtherSource(e.target.value)}>
                    {sources.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.label}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <Selectors maps={other.maps} choice={b.choice} onChange={(c) => setWantedB({ ...b.choice, ...c })} idPrefix={cmpPrefix} />
            </div>
            <p className="viewer-caption">{b.map?.title}</p>
            {viewer(bData.data, colorsB, b.map, 1, bData.error, other)}
          </div>
        )}
      </div>
      <div className="map-footer">
        <Legend minBits={0} maxBits={maxBits} thresholdBits={threshold} colormap={colormap} negative={unit === 'bits' ? (statsA?.negative ?? 0) : 0} negativeMinBits={statsA?.minBits ?? 0} unit={unit} />
        <p className="muted small" data-testid="map-stats">
          {statsA ? `${statsA.above.toLocaleString('en-GB')} of ${statsA.finite.toLocaleString('en-GB')} vertices at or above the threshold; peak ${formatTick(statsA.maxBits)} ${unit} at vertex ${statsA.peakVertex}.` : ''}
          {statsA && map?.thresholdBits !== null && map?.thresholdBits !== undefined && map.thresholdBits > statsA.maxBits ? ' No vertex reaches the family-wise error threshold.' : ''}
          {map && map.thresholdBits === null ? ' No permutation test for this map: choose a threshold.' : ''}
          {onPick ? ' Click the face to pin a comment to a vertex and see its responses.' : ' Click the face to see a vertex\'s responses.'}
        </p>
        <div className="export-buttons" role="group" aria-label="Export this map">
          <button type="button" onClick={exportPng}>
            PNG
          </button>
          <button type="button" onClick={() => exportData('csv')}>
            CSV
          </button>
          <button type="button" onClick={() => exportData('json')}>
            JSON
          </button>
          <button type="button" onClick={() => exportData('ply')}>
            PLY
          </button>
        </div>
      </div>
    </section>
  );
}

export { choiceOf };
