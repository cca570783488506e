'use client';

import { useEffect, useMemo, useState } from 'react';

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

/** A list of choices (e.g. render.emotions: items are an enum of names), typed as "a, b". */
export function isChoiceList(s: Schema): boolean {
  return s.type === 'array' && !!s.items && (Array.isArray(s.items.enum) || s.items.type === 'string');
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

/** The text a value shows as (a list as "a, b"). */
function textOf(value: unknown): string {
  if (Array.isArray(value)) return value.map((x) => (typeof x === 'number' && Number.isFinite(x) ? String(x) : '')).join(', ');
  return typeof value === 'number' && !Number.isFinite(value) ? '' : String(value ?? '');
}

/** The typed text as a number, exactly as Number() reads it ('1e-4' → 0.0001, '-5' → −5); '' → NaN. */
export function parseNumberText(text: string): number {
  return text.trim() === '' ? NaN : Number(text.trim().replace(/^\u2212/, '-'));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

function Leaf({ path, schema, value, onChange, error }: { path: string[]; schema: Schema; value: unknown; onChange: (v: unknown) => void; error: string }) {
  const id = `cfg-${path.join('-')}`;
  const name = path[path.length - 1]!;
  const hint = rangeHint(schema);
  // Number and list fields keep the text exactly as typed ("0.00", "1e-" mid-typing are never
  // rewritten); the parsed value goes up. A value changed elsewhere (the JSON editor, a preset)
  // replaces the text.
  const [text, setText] = useState(() => textOf(value));
  const parse = (t: string): unknown =>
    isChoiceList(schema) ? t.split(',').map((x) => x.trim()).filter((x) => x !== '') : schema.type === 'array' ? t.split(',').map(parseNumberText) : parseNumberText(t);
  useEffect(() => {
    if (!sameValue(parse(text), value)) setText(textOf(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
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
  } else if (schema.type === 'integer' || schema.type === 'number' || schema.type === 'array') {
    input = (
      <input
        id={id}
        type="text"
        inputMode={schema.type === 'array' ? 'text' : 'decimal'}
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parse(e.target.value));
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
      if (isChoiceList(s)) {
        if (item.enum && !item.enum.includes(items[i])) return `${field}[${i}] must be one of ${item.enum.join(', ')}`;
        continue;
      }
      const e = numberError(`${field}[${i}]`, items[i]!, item);
      if (e) return e;
    }
    if (s.prefixItems && items.length === 2 && items[0]! > items[1]!) return `${field} must be [min, max] with min ≤ max`;
  }
  return '';
}

/** Every leaf of the sections: its dotted path and schema. */
export function configLeaves(root: Schema | undefined): { path: string[]; schema: Schema }[] {
  const out: { path: string[]; schema: Schema }[] = [];
  const walk = (s: Schema, path: string[]) => {
    if (s.type === 'object' && s.properties) for (const [k, c] of Object.entries(s.properties)) walk(c, [...path, k]);
    else out.push({ path, schema: s });
  };
  for (const sec of SECTIONS) if (root?.properties?.[sec]) walk(root.properties[sec]!, [sec]);
  return out;
}

/** Each invalid field's message, by dotted path (empty when the draft is valid). */
export function configErrors(root: Schema | undefined, draft: Config): Map<string, string> {
  const errors = new Map<string, string>();
  for (const l of configLeaves(root)) {
    const v = getPath(draft, l.path);
    if (v === undefined) continue; // missing: the server fills the default
    const e = leafError(l.path.join('.'), l.schema, v);
    if (e) errors.set(l.path.join('.'), e);
  }
  return errors;
}

/** Keys of `value` that the schema does not define, as dotted paths ('training.learningrate'). */
export function unknownKeys(value: unknown, schema: Schema | undefined, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value) || !schema?.properties) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const child = schema.properties[k];
    if (!child) out.push(path);
    else if (child.type === 'object') out.push(...unknownKeys(v, child, path));
  }
  return out;
}

export type ConfigSchema = Schema;

/**
 * The configuration's sections as a form, controlled by its owner (the experiment page keeps one
 * draft, edited here or as JSON, and saves it once).
 */
export function ConfigForm({ root, draft, onChange }: { root: Schema; draft: Config; onChange: (next: Config) => void }) {
  const leaves = useMemo(() => configLeaves(root), [root]);
  const errors = configErrors(root, draft);
  const groups = new Map<string, typeof leaves>();
  for (const l of leaves) {
    const g = l.path.slice(0, -1).join(' › ');
    groups.set(g, [...(groups.get(g) ?? []), l]);
  }
  return (
    <div className="stack-tight config-form" role="group" aria-label="Experiment configuration">
      {[...groups.entries()].map(([g, ls]) => (
        <fieldset key={g} className="config-group">
          <legend>{g}</legend>
          {ls.map((l) => (
            <Leaf key={l.path.join('.')} path={l.path} schema={l.schema} value={getPath(draft, l.path)} error={errors.get(l.path.join('.')) ?? ''} onChange={(v) => onChange(setPath(draft, l.path, v))} />
          ))}
        </fieldset>
      ))}
    </div>
  );
}
