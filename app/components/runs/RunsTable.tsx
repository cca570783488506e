'use client';

import Link from 'next/link';
import { useState } from 'react';
import { formatDate } from '@/app/trpc';

type Config = Record<string, unknown>;

export interface RunRow {
  id: string;
  name: string;
  status: string;
  fraction: number;
  createdAt: Date | string;
  config: Config;
  /** From the run's dashboard (server/dashboards/key-results.ts); null until the run succeeded. */
  keyResults?: KeyResults | null;
}

export interface KeyResults {
  valAccuracy: number | null;
  peakBits: number | null;
  shape: FeatureResults;
  texture: FeatureResults;
}
interface FeatureResults {
  peakBits: number | null;
  maps: number;
  generalisation: number | null;
}

const bits = (b: number | null) => (b === null ? '—' : `${b.toFixed(3)} bits`);

/** A feature's summary cell: peak bits over its maps, and P(original) under anti-caricature changes of it. */
export function featureSummary(f: FeatureResults | undefined): string {
  if (!f) return '—';
  const parts: string[] = [];
  if (f.maps > 0) parts.push(`peak ${bits(f.peakBits)} (${f.maps} map${f.maps === 1 ? '' : 's'})`);
  if (f.generalisation !== null) parts.push(`P(original) ${f.generalisation.toFixed(2)} when changed`);
  return parts.length ? parts.join(' · ') : '—';
}

/** Every leaf of a configuration as [dotted path, value] (arrays are leaves). */
export function flattenConfig(c: unknown, prefix = ''): [string, unknown][] {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return [[prefix, c]];
  return Object.entries(c as Config).flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
}

const show = (v: unknown) => (v === undefined ? '—' : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** The fields whose values differ between configurations (name and description left out). */
export function differingFields(configs: Config[]): string[] {
  const maps = configs.map((c) => new Map(flattenConfig(c)));
  const keys = new Set(maps.flatMap((m) => [...m.keys()]));
  return [...keys].filter((k) => k !== 'name' && k !== 'description' && maps.some((m) => show(m.get(k)) !== show(maps[0]!.get(k)))).sort();
}

/**
 * An experiment's runs as a table: key results (validation accuracy, peak bits, shape and texture
 * summaries), the fields where their configurations differ as columns (the
 * rest is shared), and two runs chosen for a diff of their configurations and a side-by-side view.
 */
export function RunsTable({ runs }: { runs: RunRow[] }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const cols = differingFields(runs.map((r) => r.config));
  const pair = chosen.map((id) => runs.find((r) => r.id === id)).filter((r): r is RunRow => !!r);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id].slice(-2)));
  const diff = pair.length === 2 ? differingFields(pair.map((r) => r.config)) : [];
  const flat = pair.map((r) => new Map(flattenConfig(r.config)));
  return (
    <div className="stack-tight">
      <div style={{ overflowX: 'auto' }}>
        <table className="table" data-testid="runs-table">
          <caption className="visually-hidden">Runs of this experiment with the configuration fields that differ between them</caption>
          <thead>
            <tr>
              <th>Compare</th>
              <th>Run</th>
              <th>Started</th>
              <th>Status</th>
              <th title="Last epoch's validation accuracy">Val. accuracy</th>
              <th title="Largest per-vertex mutual information over all maps">Peak bits</th>
              <th title="Peak bits over shape maps; mean P(original) when the shape deviation is reduced (levels < 1)">Shape</th>
              <th title="Peak bits over texture maps; mean P(original) when the texture deviation is reduced (levels < 1)">Texture</th>
              {cols.map((c) => (
                <th key={c} className="small">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const m = new Map(flattenConfig(r.config));
              return (
                <tr key={r.id}>
                  <td>
                    <input type="checkbox" aria-label={`Compare ${r.name}`} checked={chosen.includes(r.id)} onChange={() => toggle(r.id)} />
                  </td>
                  <td>
                    <Link href={`/runs/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{formatDate(r.createdAt)}</td>
                  <td>
                    {r.status}
                    {r.status === 'running' ? ` ${Math.round(r.fraction * 100)}%` : ''}
                  </td>
                  <td data-testid="val-accuracy">{r.keyResults?.valAccuracy != null ? `${(r.keyResults.valAccuracy * 100).toFixed(1)} %` : '—'}</td>
                  <td data-testid="peak-bits">{bits(r.keyResults?.peakBits ?? null)}</td>
                  <td className="small">{featureSummary(r.keyResults?.shape)}</td>
                  <td className="small">{featureSummary(r.keyResults?.texture)}</td>
                  {cols.map((c) => (
                    <td key={c}>{show(m.get(c))}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {runs.length > 1 && pair.length < 2 && <p className="muted small">Tick two runs to compare their configurations and results.</p>}
      {pair.length === 2 && (
        <section className="stack-tight" aria-label="Configuration diff" data-testid="config-diff">
          <h3>
            {pair[0]!.name} vs {pair[1]!.name}
          </h3>
          {diff.length === 0 ? (
            <p className="muted">The two configurations are identical.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>{pair[0]!.name}</th>
                  <th>{pair[1]!.name}</th>
                </tr>
              </thead>
              <tbody>
                {diff.map((k) => (
                  <tr key={k}>
                    <td>
                      <code>{k}</code>
                    </td>
                    <td>{show(flat[0]!.get(k))}</td>
                    <td>{show(flat[1]!.get(k))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <Link className="button" href={`/runs/${pair[0]!.id}?compare=${pair[1]!.id}`} data-testid="open-side-by-side">
              Open side by side (maps on one scale)
            </Link>
          </p>
        </section>
      )}
    </div>
  );
}
