-- Issue 12 (2026-12-01): the coefficients basis's noise design became a config field,
-- analyses.reverseCorrelation.design, whose default is 'orthogonal' (the components exactly uncorrelated
-- in sample). Experiments and run snapshots stored before then were drawn independently and keep
-- 'independent', so they re-run as they ran.
UPDATE "experiments" SET "config" = jsonb_set("config", '{analyses}',
  COALESCE("config" -> 'analyses', '{}'::jsonb) || jsonb_build_object('reverseCorrelation',
    COALESCE("config" #> '{analyses,reverseCorrelation}', '{}'::jsonb) || '{"design":"independent"}'::jsonb))
WHERE "config" #> '{analyses,reverseCorrelation,design}' IS NULL;
--> statement-breakpoint
UPDATE "runs" SET "config" = jsonb_set("config", '{analyses}',
  COALESCE("config" -> 'analyses', '{}'::jsonb) || jsonb_build_object('reverseCorrelation',
    COALESCE("config" #> '{analyses,reverseCorrelation}', '{}'::jsonb) || '{"design":"independent"}'::jsonb))
WHERE "config" #> '{analyses,reverseCorrelation,design}' IS NULL;
