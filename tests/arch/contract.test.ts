/** Formats that cross a boundary, from their one home (workers/contract): what they accept and refuse. */
import { describe, expect, it } from 'vitest';
import { artifactFsPath, artifactObjectKey, ChildMessage, DashboardMap, s3SettingsFromEnv, DFM_MAGIC, MapDecl, parseDfm, RUN_STATUSES, RunStatus, STEP_STATUSES } from '../../workers/contract';
import { runStatus, runStepStatus } from '../../server/db/schema/runs';
import { s3OptionsFromEnv } from '../../server/storage/s3';
import { workerStoreFromEnv, S3WorkerStore } from '../../workers/functions/worker-artifact-store';

describe('workers/contract', () => {
  it('ChildMessage: the four IPC messages parse, anything else names the bad field', () => {
    expect(ChildMessage.parse({ type: 'progress', fraction: 0.25, etaSeconds: null })).toEqual({ type: 'progress', fraction: 0.25, etaSeconds: null });
    expect(ChildMessage.parse({ type: 'result', output: { a: 1 } }).type).toBe('result');
    const bad = ChildMessage.safeParse({ type: 'progress', fraction: '0.5', etaSeconds: 3 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['fraction']);
    expect(ChildMessage.safeParse({ type: 'shout', message: 'x' }).success).toBe(false);
  });

  it('run and step statuses: the SQL enums are the contract lists', () => {
    expect(runStatus.enumValues).toEqual([...RUN_STATUSES]);
    expect(runStepStatus.enumValues).toEqual([...STEP_STATUSES]);
    expect(RunStatus.safeParse('paused').success).toBe(false);
  });

  it('a declared map and a dashboard map share their facets and defaults', () => {
    const decl = MapDecl.parse({ key: 'k', feature: 'shape', values: 'mi.f32' });
    expect(decl).toMatchObject({ band: 'all', identity: 'all', layer: 'output', layerIndex: 0, poseYawDeg: 0, response: '', mesh: 'default', offset: 0, sign: 1, thresholdBits: null });
    const link = { id: '00000000-0000-4000-8000-000000000000', name: 'mi.f32', size: 40, contentType: 'application/octet-stream' };
    const map = DashboardMap.parse({ key: 'k', title: 't', analysis: 'a', feature: 'texture', mesh: 'default', values: link, vertexCount: 10, thresholdBits: 0.1, maxBits: 0.5 });
    expect(map).toMatchObject({ band: 'all', layer: 'output', offset: 0, sign: 1 });
    expect(MapDecl.safeParse({ key: 'k', feature: 'colour', values: 'x' }).success).toBe(false);
  });

  it('parseDfm: refuses a bad magic, an unknown version and a header that runs past the end', () => {
    expect(() => parseDfm(new Uint8Array(20), 'm.dfm')).toThrow(/m\.dfm: bad magic/);
    const bytes = new Uint8Array(32);
    bytes.set(new TextEncoder().encode(DFM_MAGIC));
    const dv = new DataView(bytes.buffer);
    dv.setUint32(8, 2, true);
    expect(() => parseDfm(bytes)).toThrow(/format version 2 is not supported \(expected 1\)/);
    dv.setUint32(8, 1, true);
    dv.setUint32(12, 100, true);
    expect(() => parseDfm(bytes)).toThrow(/header length 100 runs past the end/);
  });

  it('artifact store: one layout and one S3 settings parser for the portal and the workers', () => {
    const key = 'ab'.repeat(32);
    expect(artifactFsPath(key)).toBe(`ab/ab/${key}`);
    expect(artifactObjectKey('artifacts/', key)).toBe(`artifacts/${key}`);
    expect(() => artifactObjectKey('p/', 'AB')).toThrow(/sha256/);
    expect(s3SettingsFromEnv({})).toBeNull();
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: '1', S3_REGION: '' };
    const settings = { bucket: 'b', prefix: 'artifacts/', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true };
    expect(s3SettingsFromEnv(env)).toEqual(settings);
    expect(s3OptionsFromEnv(env)).toEqual(settings); // the portal's store reads the same settings
    const store = workerStoreFromEnv(env);
    expect(store).toBeInstanceOf(S3WorkerStore);
    expect((store as S3WorkerStore).prefix).toBe('artifacts/');
    expect(s3SettingsFromEnv({ S3_BUCKET: 'b', S3_PREFIX: '' })!.prefix).toBe('');
  });
});
