-- Issue 12 (2026-12-01): the texture bubbles' band law became a config field,
-- analyses.reverseCorrelation.bubbles.textureBandOctaves, whose default changed from the former law
-- (k = 0.5: bump widths sigma * 2^((nb-1-band)/2)) to k = 0 (every band at sigma). Experiments and run
-- snapshots stored before then were made with k = 0.5 and keep it, so they re-run as they ran.
UPDATE "experiments" SET "config" = jsonb_set("config", '{analyses}',
  COALESCE("config" -> 'analyses', '{}'::jsonb) || jsonb_build_object('reverseCorrelation',
    COALESCE("config" #> '{analyses,reverseCorrelation}', '{}'::jsonb) || jsonb_build_object('bubbles',
      COALESCE("config" #> '{analyses,reverseCorrelation,bubbles}', '{}'::jsonb) || '{"textureBandOctaves":0.5}'::jsonb)))
WHERE "config" #> '{analyses,reverseCorrelation,bubbles,textureBandOctaves}' IS NULL;
--> statement-breakpoint
UPDATE "runs" SET "config" = jsonb_set("config", '{analyses}',
  COALESCE("config" -> 'analyses', '{}'::jsonb) || jsonb_build_object('reverseCorrelation',
    COALESCE("config" #> '{analyses,reverseCorrelation}', '{}'::jsonb) || jsonb_build_object('bubbles',
      COALESCE("config" #> '{analyses,reverseCorrelation,bubbles}', '{}'::jsonb) || '{"textureBandOctaves":0.5}'::jsonb)))
WHERE "config" #> '{analyses,reverseCorrelation,bubbles,textureBandOctaves}' IS NULL;
