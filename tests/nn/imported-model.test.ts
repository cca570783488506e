/**
 * An imported LayersModel whose last Dense layer is itself named 'logits' (no softmax), as users'
 * own models often are, and whose probed layers include the pooling output: the Predictor asks tf
 * for each symbolic tensor once (duplicate outputs made tf.model fail at predict time, with a
 * null tensor in concat) and reads the linear output as logits, not as probabilities.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyLayersModel } from '../e2e/tiny-model';
import { loadNetwork } from '../../workers/analyses/nn-adapter';
import { loadModel } from '../../workers/nn';
import { folderFiles } from '../../workers/util';

const dir = mkdtempSync(path.join(tmpdir(), 'deeper-imported-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('imported LayersModel with a linear output named logits', () => {
  it('predicts logits equal to the model output, with hidden activations, batch by batch', async () => {
    await writeTinyLayersModel(dir, 32, 3);
    const net = await loadNetwork(folderFiles(dir));
    expect(net.classCount).toBe(3);
    expect(net.layerNames).toEqual(['conv1', 'pool']);
    const n = 5;
    const images = new Float32Array(n * 32 * 32 * 3).map((_, i) => ((i * 7919) % 101) / 101);
    const p = await net.predict(images, n, net.layerNames);
    // The reference: the linear output layer applied to the probed pooling activations, z = pool·W + b.
    const model = await loadModel(folderFiles(dir));
    const [W, b] = model.getLayer('logits').getWeights().map((t) => t.dataSync());
    for (let i = 0; i < n; i++)
      for (let k = 0; k < 3; k++) {
        let z = b![k]!;
        for (let j = 0; j < 4; j++) z += p.activations.pool!.data[i * 4 + j]! * W![j * 3 + k]!;
        expect(p.logits[i * 3 + k]).toBeCloseTo(z, 4);
      }
    expect(p.logits.length).toBe(n * 3);
    expect(Array.from(p.logits).every(Number.isFinite)).toBe(true);
    expect(p.activations.pool!.shape).toEqual([n, 4]);
    expect(p.activations.conv1!.shape).toEqual([n, 15, 15, 4]);
    // Without probed layers the logits are the same numbers.
    const q = await net.predict(images, n, []);
    for (let i = 0; i < n * 3; i++) expect(q.logits[i]).toBeCloseTo(p.logits[i]!, 5);
  });
});
