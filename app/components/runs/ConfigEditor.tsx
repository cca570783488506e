'use client';

import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/app/trpc';
import { ConfigForm, configErrors, unknownKeys, type ConfigSchema } from './ConfigForm';
import { parseConfigJson } from './config-json';
import { modelShape, useUploadedModels } from './ModelUpload';
import { HUMAN_TRIALS_TYPE } from '../humans/HumanUpload';

type Config = Record<string, unknown>;
export const SECTIONS = ['faces', 'render', 'training', 'analyses'] as const;

/** The four sections of a configuration (name, description and seed are edited beside them). */
export function sectionsOf(config: Config): Config {
  return Object.fromEntries(SECTIONS.filter((s) => config[s] !== undefined).map((s) => [s, config[s]]));
}

/** Keys of a JSON object that are not sections or not fields of their section. */
export function unknownSectionKeys(value: Config, root: ConfigSchema | undefined): string[] {
  const out: string[] = [];
  for (const k of Object.keys(value)) if (!(SECTIONS as readonly string[]).includes(k)) out.push(k);
  const known = Object.fromEntries(Object.entries(value).filter(([k]) => (SECTIONS as readonly string[]).includes(k)));
  return [...out, ...unknownKeys(known, root)];
}

export interface ConfigDraft {
  /** The sections as edited (the one state both editors change). */
  sections: Config;
  /** The JSON editor's text (may be mid-edit and invalid). */
  json: string;
  /** Why the draft cannot be saved, or ''. */
  problem: string;
}

export function draftFrom(sections: Config): ConfigDraft {
  return { sections, json: JSON.stringify(sections, null, 2), problem: '' };
}

/**
 * One configuration, edited as a form or as JSON, kept in sync: a form change rewrites the JSON; a
 * JSON edit that parses and names only known fields updates the form. Presets from the contract
 * replace the sections. The owner saves `draft.sections` once.
 */
export function ConfigEditor({ workspaceId, draft, onChange, serverErrors }: { workspaceId: string; draft: ConfigDraft; onChange: (d: ConfigDraft) => void; serverErrors?: string }) {
  const { models } = useUploadedModels(workspaceId);
  const trpc = useTRPC();
  const schema = useQuery(trpc.dashboards.configSchema.queryOptions());
  const presets = useQuery(trpc.dashboards.configPresets.queryOptions());
  const [preset, setPreset] = useState('');
  const root = schema.data as ConfigSchema | undefined;
  const formErrors = configErrors(root, draft.sections);

  const fromForm = (sections: Config) => {
    const errs = configErrors(root, sections);
    onChange({ sections, json: JSON.stringify(sections, null, 2), problem: errs.size ? `Fix the fields marked in the form: ${[...errs.keys()].join(', ')}.` : '' });
  };
  const fromJson = (json: string) => {
    const parsed = parseConfigJson(json);
    if (!parsed.ok) return onChange({ ...draft, json, problem: parsed.error });
    const unknown = unknownSectionKeys(parsed.value, root);
    if (unknown.length) return onChange({ ...draft, json, problem: `Unknown configuration key${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.` });
    const errs = configErrors(root, parsed.value);
    onChange({ sections: parsed.value, json, problem: errs.size ? [...errs.values()].join('; ') : '' });
  };

  const training = (draft.sections.training ?? {}) as Config;
  const network = training.source === 'import' && typeof training.importedModel === 'string' ? training.importedModel : 'train';
  /** An uploaded model sets the images' size and the identities to what it takes and scores. */
  const chooseNetwork = (id: string) => {
    const { importedModel: _m, ...rest } = training;
    if (id === 'train') return fromForm({ ...draft.sections, training: { ...rest, source: 'train' } });
    const shape = modelShape(models.find((m) => m.id === id)?.name ?? '');
    const next: Config = { ...draft.sections, training: { ...rest, source: 'import', importedModel: id } };
    if (shape) {
      next.render = { ...((draft.sections.render ?? {}) as Config), sizePx: shape.inputSize };
      next.faces = { ...((draft.sections.faces ?? {}) as Config), identities: shape.classes };
    }
    fromForm(next);
  };

  // Human observers beside the generalisation curves: a human-trials CSV uploaded to this workspace (issue 14).
  const uploads = useQuery({ ...trpc.artifact.list.queryOptions({ workspaceId, limit: 500 }), enabled: !!workspaceId });
  const humanFiles = (uploads.data ?? []).filter((a) => a.contentType === HUMAN_TRIALS_TYPE);
  const analyses = (draft.sections.analyses ?? {}) as Config;
  const generalisation = (analyses.generalisation ?? {}) as Config;
  const human = typeof generalisation.humanResponses === 'string' ? generalisation.humanResponses : '';
  const chooseHuman = (id: string) => {
    const { humanResponses: _h, ...rest } = generalisation;
    fromForm({ ...draft.sections, analyses: { ...analyses, generalisation: id ? { ...rest, humanResponses: id } : rest } });
  };

  return (
    <div className="stack-tight" data-testid="config-editor">
      <div className="button-row">
        <label htmlFor="config-preset">Start from a preset</label>
        <select id="config-preset" value={preset} onChange={(e) => setPreset(e.target.value)}>
          <option value="">choose…</option>
          {presets.data?.map((p) => (
            <option key={p.name} value={p.name}>
              {p.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button-quiet"
          disabled={!preset}
          onClick={() => {
            const p = presets.data?.find((x) => x.name === preset);
            if (p) onChange(draftFrom(p.config as Config));
          }}
        >
          Apply preset
        </button>
      </div>
      <div className="button-row">
        <label htmlFor="config-network">Network</label>
        <select id="config-network" value={network} onChange={(e) => chooseNetwork(e.target.value)}>
          <option value="train">Train a ResNet-10</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              Uploaded: {m.name}
            </option>
          ))}
        </select>
      </div>
      <div className="button-row">
        <label htmlFor="config-human">Human responses</label>
        <select id="config-human" data-testid="config-human" value={human} onChange={(e) => chooseHuman(e.target.value)}>
          <option value="">none</option>
          {humanFiles.map((f) => (
            <option key={f.id} value={f.id}>
              Uploaded: {f.name}
            </option>
          ))}
          {human && !humanFiles.some((f) => f.id === human) && <option value={human}>{uploads.isLoading ? 'loading…' : `not an upload of this workspace (${human})`}</option>}
        </select>
        <span className="hint">a human-trials CSV uploaded under Human observers; its generalisation trials are drawn beside the network&apos;s curves</span>
      </div>
      <div className="field">
        <label htmlFor="exp-config">Configuration (JSON)</label>
        <textarea id="exp-config" rows={14} className="code" spellCheck={false} value={draft.json} onChange={(e) => fromJson(e.target.value)} aria-invalid={draft.problem ? true : undefined} aria-describedby="exp-config-hint" />
        <p id="exp-config-hint" className="hint">
          Faces, rendering, training and analyses; missing fields take their defaults. The form below edits the same configuration.
        </p>
        {(draft.problem || serverErrors) && (
          <p className="field-error" role="alert" data-testid="config-problem">
            {draft.problem || serverErrors}
          </p>
        )}
      </div>
      <details>
        <summary>Configure every field (ranges and defaults, checked as you type)</summary>
        {root ? <ConfigForm root={root} draft={draft.sections} onChange={fromForm} /> : <p className="muted">Loading the form…</p>}
        {formErrors.size > 0 && <p className="muted small">Fix the fields marked above.</p>}
      </details>
    </div>
  );
}
