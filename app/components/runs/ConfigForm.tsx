'use client';

import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, useTRPC } from '@/app/trpc';

/**
 * The experiment configuration as a form generated from the contract's JSON Schema: every field of
 * every section with its range and default, checked as you type (the server validates again on
 * save and launch). Numbers, integers, ranges [min, max], lists of numbers, switches and choices.
 */

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  prefixItems?: Schema[];
  items?: Schema | false;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
}

type Config = Record<string, unknown>;

const SECTIONS = ['faces', 'render', 'training', 'analyses'] as const;

function getPath(o: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}
function setPath(o: Config, path: string[], value: unknown): Config {
  const [k, ...rest] = path;
  if (!k) return o;
  return { ...o, [k]: rest.length ? setPath(((o[k] as Config) ?? {}) as Config, rest, value) : value };
}

/** The message for a number out of its schema's range, or ''. */
export function numberError(field: string, x: number, s: Schema): string {
  if (!Number.isFinite(x)) return `${field} must be a number`;
  if (s.type === 'integer' && !Number.isInteger(x)) return `${field} must be an integer`;
  if (s.minimum !== undefined && x < s.minimum) return `${field} must be ≥ ${s.minimum}`;
  if (s.maximum !== undefined && x > s.maximum) return `${field} must be ≤ ${s.maximum}`;
  return '';
}

/** A number with at most 4 significant digits (1/3 → 0.3333). */
const short = (x: unknown) => (typeof x === 'number' ? String(Number(x.toPrecision(4))) : String(x));

function rangeHint(s: Schema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? '−∞'} to ${s.maximum ?? '∞'}`);
  if (s.default !== undefined && typeof s.default !== 'object') parts.push(`default ${String(s.default)}`);
  if (Array.isArray(s.default)) parts.push(`default ${(s.default as unknown[]).map(short).join(', ')}`);
  return parts.join(' · ');
}

function Leaf({ path, schema, value, onChange, error }: { path: string[]; schema: Schema; value: unknown; onChange: (v: unknown, text?: string) => void; error: string }) {
  const id = `cfg-${path.join('-')}`;
  const name = path[path.length - 1]!;
  const hint = rangeHint(schema);
  const [text, setText] = useState(() => (Array.isArray(value) ? value.map(short).join(', ') : String(value ?? '')));
  let input: React.ReactNode;
  if (schema.type === 'boolean') {
    input = <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />;
  } else if (schema.enum) {
    input = (
      <select id={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
        {schema.enum.map((v) => (
          <option key={String(v)}>{String(v)}</option>
        ))}
      </select>
    );
  } else if (schema.type === 'integer' || schema.type === 'number') {
    input = <input id={id} type="number" inputMode="decimal" min={schema.minimum} max={schema.maximum} step={schema.type === 'integer' ? 1 : 'any'} value={value === undefined || value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? NaN : Number(e.target.value), e.target.value)} aria-invalid={!!error} />;
  } else if (schema.type === 'array') {
    // The text as typed is kept ("0, " mid-typing is not rewritten); the parsed list goes up.
    input = (
      <input
        id={id}
        type="text"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.split(',').map((x) => (x.trim() === '' ? NaN : Number(x))), e.target.value);
        }}
        aria-invalid={!!error}
      />
    );
  } else {
    input = <input id={id} type="text" value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field config-field">
      <label htmlFor={id}>{name}</label>
      {input}
      {hint && <span className="hint">{schema.type === 'array' && schema.prefixItems ? `[min, max], each ${rangeHint(schema.prefixItems[0]!)}` : hint}</span>}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Checks one leaf against its schema; '' when valid. */
export function leafError(field: string, s: Schema, v: unknown): string {
  if (s.type === 'integer' || s.type === 'number') return numberError(field, v as number, s);
  if (s.type === 'array' && Array.isArray(v)) {
    const items = v as number[];
    if (s.minItems !== undefined && items.length < s.minItems) return `${field} needs at least ${s.minItems} values`;
    if (s.maxItems !== undefined && items.length > s.maxItems) return `${field} takes at most ${s.maxItems} values`;
    for (let i = 0; i < items.length; i++) {
      const item = s.prefixItems?.[i] ?? (s.items || {});
      const e = numberError(`${field}[${i}]`, items[i]!, item);
      if (e) return e;
    }
    if (s.prefixItems && items.length === 2 && items[0]! > items[1]!) return `${field} must be [min, max] with min ≤ max`;
  }
  return '';
}

export function ConfigForm({ experimentId, config }: { experimentId: string; config: Config }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const schema = useQuery(trpc.dashboards.configSchema.queryOptions());
  const [draft, setDraft] = useState<Config>(config);
  const [saved, setSaved] = useState('');
  const save = useMutation(
    trpc.experiment.update.mutationOptions({
      onSuccess: () => {
        setSaved('Saved.');
        qc.invalidateQueries({ queryKey: trpc.experiment.get.queryKey({ experimentId }) });
      },
    }),
  );
  const root = schema.data as Schema | undefined;
  // Every leaf of the sections: its path, schema, and current error.
  const leaves = useMemo(() => {
    const out: { path: string[]; schema: Schema }[] = [];
    const walk = (s: Schema, path: string[]) => {
      if (s.type === 'object' && s.properties) for (const [k, c] of Object.entries(s.properties)) walk(c, [...path, k]);
      else out.push({ path, schema: s });
    };
    for (const sec of SECTIONS) if (root?.properties?.[sec]) walk(root.properties[sec]!, [sec]);
    return out;
  }, [root]);
  const errors = new Map(leaves.map((l) => [l.path.join('.'), leafError(l.path.join('.'), l.schema, getPath(draft, l.path))]));
  const invalid = [...errors.values()].some(Boolean);
  if (!root) return schema.error ? <p className="alert alert-error">{errorInfo(schema.error).message}</p> : <p className="muted">Loading the form…</p>;

  const groups = new Map<string, typeof leaves>();
  for (const l of leaves) {
    const g = l.path.slice(0, -1).join(' › ');
    groups.set(g, [...(groups.get(g) ?? []), l]);
  }
  return (
    <form
      className="stack-tight config-form"
      aria-label="Experiment configuration"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved('');
        if (!invalid) save.mutate({ experimentId, config: Object.fromEntries(SECTIONS.map((s) => [s, draft[s]])) });
      }}
    >
      {[...groups.entries()].map(([g, ls]) => (
        <fieldset key={g} className="config-group">
          <legend>{g}</legend>
          {ls.map((l) => (
            <Leaf key={l.path.join('.')} path={l.path} schema={l.schema} value={getPath(draft, l.path)} error={errors.get(l.path.join('.')) ?? ''} onChange={(v) => setDraft((d) => setPath(d, l.path, v))} />
          ))}
        </fieldset>
      ))}
      {save.error && <p className="alert alert-error">{errorInfo(save.error).message}</p>}
      <div className="button-row">
        <button type="submit" className="button" disabled={invalid || save.isPending}>
          Save configuration
        </button>
        <span className="muted small" aria-live="polite">
          {invalid ? 'Fix the fields marked above.' : saved}
        </span>
      </div>
    </form>
  );
}
