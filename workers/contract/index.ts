/**
 * The contract between server/ and workers/: every shape that crosses the boundary. server/
 * imports this file and nothing else of workers/ (DESIGN.md). The definitions live in
 * this folder, one file per concern, so that each can grow on its own:
 * - experiment.ts: an experiment's configuration (validated on create, edit and launch);
 * - results.ts:    the analysis result formats that dashboards read;
 * - workflow.ts:   workflow events, step inputs/outputs and artifact manifests;
 * - child.ts:      the messages a step's child process sends its parent over IPC;
 * - dashboard.ts:  what a step declares for the dashboard, the dashboard manifest, the publication snapshot;
 * - face-model-format.ts: the .dfm face model file layout (header schema, parsing);
 * - artifact-store.ts: the artifact store's layout (keys, paths) and the S3 settings and their parser.
 */
export * from './experiment';
export * from './workflow';
export * from './result-bundles';
export * from './child';
export * from './dashboard';
export * from './face-model-format';
export * from './mesh-regions';
export * from './human-trials-csv';
export * from './artifact-store';
export * from './human-trials';
export * from './beside-results';
export * from './text';
