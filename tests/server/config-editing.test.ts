import { describe, expect, it } from 'vitest';
import { ExperimentConfig } from '../../workers/contract';
import { unknownConfigKeys } from '../../server/trpc/routers/experiment';
import { inspectLayersModel, UploadError } from '../../server/uploads/model-upload';
import { describeJsonError, lineColumn, parseConfigJson } from '../../app/components/runs/config-json';
import { isChoiceList, leafError, parseNumberText } from '../../app/components/runs/ConfigForm';

// Issue 14: what the configuration editor and the model upload accept and refuse.

describe('number fields', () => {
  it('read the typed text exactly', () => {
    expect(parseNumberText('0.001')).toBe(0.001);
    expect(parseNumberText('0.0005')).toBe(0.0005);
    expect(parseNumberText('1e-4')).toBe(0.0001);
    expect(parseNumberText('-0.1')).toBe(-0.1);
    expect(parseNumberText('1e3')).toBe(1000);
    expect(parseNumberText('−5')).toBe(-5);
    expect(parseNumberText('')).toBeNaN();
    expect(parseNumberText('1e-')).toBeNaN();
  });
});

describe('unknown configuration keys', () => {
  it('are named by their dotted path; known ones pass', () => {
    const raw = { name: 'x', training: { learningrate: 0.1, epochs: 2 }, analyses: { reverseCorrelation: { trails: 5 } }, colour: 'red' };
    const parsed = ExperimentConfig.parse(raw);
    expect(unknownConfigKeys(raw, parsed).sort()).toEqual(['analyses.reverseCorrelation.trails', 'colour', 'training.learningrate']);
    const ok = { name: 'x', training: { epochs: 2, learningRate: 0.001 }, render: { yawDeg: [-5, 30] } };
    expect(unknownConfigKeys(ok, ExperimentConfig.parse(ok))).toEqual([]);
  });
});

describe('JSON syntax errors', () => {
  it('give line and column', () => {
    const text = '{\n  "faces": {\n    "identities": 3,\n  }\n}';
    expect(lineColumn(text, 38)).toEqual({ line: 4, column: 3 });
    const r = parseConfigJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^JSON syntax error at line 4, column 3/);
    expect(describeJsonError('{"a": 1', new SyntaxError('Unexpected end of JSON input'))).toContain('line 1, column 8');
    expect(parseConfigJson('[1]')).toEqual({ ok: false, error: 'The configuration must be a JSON object ({ … }), not an array.' });
  });
});

describe('LayersModel upload validation', () => {
  const model = (inputShape: unknown[], units: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { batch_input_shape: inputShape } }, { class_name: 'Dense', config: { units } }] } },
      weightsManifest: [{ paths: ['weights.bin'], weights: [] }],
      ...extra,
    });
  it('reads input size, classes and weight files', () => {
    expect(inspectLayersModel(model([null, 32, 32, 3], 3))).toEqual({ inputSize: 32, classes: 3, weightFiles: ['weights.bin'] });
  });
  it('refuses with errors that say what is wrong', () => {
    expect(() => inspectLayersModel(model([null, 32, 16, 3], 3))).toThrow(/\[null, S, S, 3\].*\[null,32,16,3\]/);
    expect(() => inspectLayersModel(model([null, 512, 512, 3], 3))).toThrow('512 px');
    expect(() => inspectLayersModel(model([null, 32, 32, 3], 1))).toThrow('1 classes');
    expect(() => inspectLayersModel(model([null, 32, 32, 3], 3, { format: 'graph-model' }))).toThrow('graph models');
    expect(() => inspectLayersModel('{')).toThrow(UploadError);
    expect(() => inspectLayersModel('{}')).toThrow('modelTopology');
  });
});

describe('map JSON export', () => {
  it('carries positions, the map key and facets, the run and units', async () => {
    const { mapJson } = await import('../../app/components/viewer/exports');
    const doc = JSON.parse(
      mapJson({ key: 'rc/shape', title: 'Shape', thresholdBits: 0.2, analysis: 'reverse-correlation', feature: 'shape' }, new Float32Array([0.5, NaN]), {
        positions: new Float32Array([1, 2, 3, 4, 5, 6]),
        run: { id: 'r1', name: 'Run A', facts: { epochs: 4 } },
      }),
    );
    expect(doc.key).toBe('rc/shape');
    expect(doc.map).toEqual({ analysis: 'reverse-correlation', feature: 'shape' });
    expect(doc.run.facts.epochs).toBe(4);
    expect(doc.positions).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(doc.values).toEqual([0.5, null]);
    expect(doc.units.positions).toMatch(/^mm/);
    expect(doc.vertexCount).toBe(2);
  });
});

describe('list-of-choices fields (render.emotions)', () => {
  it('take names, not numbers, and refuse unknown names by position', () => {
    const s = { type: 'array', minItems: 1, items: { type: 'string', enum: ['neutral', 'happy', 'sad'] } };
    expect(isChoiceList(s)).toBe(true);
    expect(isChoiceList({ type: 'array', items: { type: 'number' } })).toBe(false);
    expect(leafError('render.emotions', s, ['neutral', 'happy'])).toBe('');
    expect(leafError('render.emotions', s, ['neutral', 'angry'])).toBe('render.emotions[1] must be one of neutral, happy, sad');
    expect(leafError('render.emotions', s, [])).toBe('render.emotions needs at least 1 values');
    expect(leafError('render.yawDeg', { type: 'array', items: { type: 'number', minimum: -90 } }, [-100])).toBe('render.yawDeg[0] must be ≥ -90');
  });
});
