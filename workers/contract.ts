/**
 * The contract between server/ and workers/: every shape that crosses the boundary. server/
 * imports this file and nothing else of workers/ (DESIGN.md). The definitions live in
 * workers/contract/, one file per concern, so that each can grow on its own:
 * - experiment.ts: an experiment's configuration (validated on create, edit and launch);
 * - results.ts:    the analysis result formats that dashboards read;
 * - workflow.ts:   workflow events, step inputs/outputs and artifact manifests;
 * - human-trials.ts: the tidy trial table of human observers (one row per participant and trial);
 * - beside-results.ts: result bundles of the attributions and of the human-observer analyses.
 */
export * from './contract/experiment';
export * from './contract/workflow';
export * from './contract/results';
export * from './contract/human-trials';
export * from './contract/beside-results';
