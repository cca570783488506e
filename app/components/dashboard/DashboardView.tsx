'use client';

import { useEffect, useState, type ReactNode } from 'react';
import type { DashboardCurve, DashboardManifest, DashboardMap, DashboardPin } from '@/workers/contract';
import { LineChart } from '../charts/LineChart';
import { StimulusGallery } from './StimulusGallery';
import { MapPanel, type MapSource, type VertexPick } from '../viewer/MapPanel';
import { curvesCsv, curvesJson, downloadBlob } from '../viewer/exports';
import { overlayCurves } from './overlay-curves';
import './dashboard.css';

const FACT_LABELS: Record<string, string> = {
  identities: 'identities',
  imageSizePx: 'image px',
  imagesPerIdentity: 'images / identity',
  network: 'network',
  epochs: 'epochs',
  trials: 'trials',
  permutations: 'permutations',
  seed: 'seed',
};

const GROUPS: { kind: DashboardCurve['kind']; title: string }[] = [
  { kind: 'training', title: 'Training' },
  { kind: 'generalisation', title: 'Generalisation: shape vs texture' },
  { kind: 'depth', title: 'Information versus depth' },
  { kind: 'pose', title: 'Pose invariance' },
  { kind: 'other', title: 'Other curves' },
];

function Curve({ c, markerX }: { c: DashboardCurve; markerX: number | null }) {
  const probability = c.kind === 'generalisation' || /accuracy|P\(/.test(c.yLabel);
  return (
    <LineChart
      title={c.title}
      xLabel={c.xLabel}
      yLabel={c.yLabel}
      series={c.series}
      yDomain={probability ? [0, 1] : undefined}
      reference={c.kind === 'generalisation' ? { y: 0.5, label: 'P = 0.5' } : undefined}
      markerX={c.kind === 'depth' || c.kind === 'pose' ? markerX : null}
      note={c.note}
    />
  );
}

export interface DashboardViewProps {
  manifest: DashboardManifest;
  /** URL of an artifact's bytes: /api/artifacts/<id> signed in, /p/<slug>/a/<id> when published. */
  urlOf: (artifactId: string) => string;
  pins?: DashboardPin[];
  onPick?: (pick: VertexPick) => void;
  pickedVertex?: number | null;
  /** Other runs to compare side by side. */
  compareSources?: MapSource[];
  /** The compared run's curves: its training curves are overlaid on this run's. */
  compareCurves?: { label: string; curves: DashboardCurve[] };
  /** Shown above the map (e.g. the comment form while a vertex is picked). */
  mapAside?: ReactNode;
}

/** A run's results: facts, curves (training, generalisation, depth, pose), stimuli and the 3D maps. */
export function DashboardView({ manifest, urlOf, pins = [], onPick, pickedVertex, compareSources = [], compareCurves, mapAside }: DashboardViewProps) {
  const [current, setCurrent] = useState<DashboardMap | null>(null);
  // The dashboard's first content is on screen: its time since navigation start is the "first content" figure.
  useEffect(() => {
    if (!performance.getEntriesByName('deeper:dashboard-content').length) performance.mark('deeper:dashboard-content');
  }, []);
  const markerX = current && current.layer !== 'output' ? current.layerIndex : null;
  const source: MapSource = { id: manifest.run.id, label: manifest.run.name, maps: manifest.maps, meshes: manifest.meshes, urlOf, run: manifest.run };
  // Comparing: the training curves of both runs overlaid in one chart each (loss, accuracy).
  const curvesOf = (kind: DashboardCurve['kind']) =>
    compareCurves && kind === 'training' ? overlayCurves({ label: 'this run', curves: manifest.curves }, compareCurves, kind) : manifest.curves.filter((c) => c.kind === kind);
  const groups = GROUPS.map((g) => ({ ...g, curves: curvesOf(g.kind) })).filter((g) => g.curves.length);
  return (
    <div className="dashboard" data-testid="dashboard">
      <ul className="dash-facts" aria-label="Configuration">
        {Object.entries(manifest.run.facts)
          // jsonb does not keep key order: show the facts in a fixed order.
          .sort(([a], [b]) => Object.keys(FACT_LABELS).indexOf(a) - Object.keys(FACT_LABELS).indexOf(b))
          .map(([k, v]) => (
          <li key={k}>
            {FACT_LABELS[k] ?? k}: <strong>{String(v)}</strong>
          </li>
        ))}
      </ul>

      <section className="dash-section" aria-labelledby="maps-h">
        <h2 id="maps-h">Information maps on the face</h2>
        {mapAside}
        <MapPanel sources={[source, ...compareSources]} pins={pins} onPick={onPick} pickedVertex={pickedVertex} onMapChange={setCurrent} />
      </section>

      {groups.map((g) => (
        <section key={g.kind} className="dash-section" aria-label={g.title} data-testid={`curves-${g.kind}`}>
          <h2>
            {g.title}
            <span className="export-buttons">
              <button type="button" onClick={() => downloadBlob(curvesCsv(g.curves), `${g.kind}-curves.csv`, 'text/csv')}>
                CSV
              </button>
              <button type="button" onClick={() => downloadBlob(curvesJson(g.curves), `${g.kind}-curves.json`, 'application/json')}>
                JSON
              </button>
            </span>
          </h2>
          <div className="chart-grid">
            {g.curves.map((c) => (
              <Curve key={c.key} c={c} markerX={markerX} />
            ))}
          </div>
        </section>
      ))}

      {manifest.stimuli.length > 0 && (
        <section className="dash-section" aria-labelledby="stimuli-h">
          <h2 id="stimuli-h">Stimuli</h2>
          <StimulusGallery stimuli={manifest.stimuli} urlOf={urlOf} />
        </section>
      )}
    </div>
  );
}
