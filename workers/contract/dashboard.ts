import { z } from 'zod';

/**
 * The dashboard formats (moved here from server/dashboards/manifest.ts and build.ts): what a step
 * declares in its manifest's summary.dashboard (DashboardDecl, arrays named by artifact name), and
 * the dashboard of a run as the browser receives it (DashboardManifest): small JSON that names every binary array by
 * artifact id (the arrays themselves travel through the artifact route as raw typed arrays, never
 * as JSON). A published snapshot is a frozen copy of this object (publications.snapshot), so the
 * same viewer code draws both; the public page rewrites artifact URLs to /p/<slug>/a/<id>.
 *
 * Binary layouts (little-endian, no header):
 * - mesh positions: Float32Array [V][3] in mm (x right, y up, z towards the viewer);
 * - mesh triangles: Uint32Array [T][3], counter-clockwise seen from outside;
 * - map values:     Float32Array [V], mutual information in bits per vertex;
 * - stimulus image: an image file (PNG) as stored;
 * - mesh regions:   Uint8 [V] region index + JSON names (meshRegions.ts).
 */

export const ArtifactLink = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
});
export type ArtifactLink = z.infer<typeof ArtifactLink>;

export const DashboardMesh = z.object({
  /** 'default' or an identity label; maps name their mesh by this key. */
  key: z.string(),
  label: z.string(),
  vertexCount: z.number().int().positive(),
  triangleCount: z.number().int().positive(),
  positions: ArtifactLink,
  triangles: ArtifactLink,
  /** Per-vertex region labels (mesh.regions.bin, layout in meshRegions.ts), when the face model names regions. */
  regions: ArtifactLink.optional(),
});
export type DashboardMesh = z.infer<typeof DashboardMesh>;

/** 'image': the whole stimulus image (attribution maps, issue 15), not one feature of the face. */
export const MAP_FEATURES = ['shape', 'texture', 'image'] as const;

/**
 * What a map is about: the fields a step declares (DashboardDecl) and the dashboard shows
 * (DashboardMap) alike, written once here.
 */
const mapFacets = {
  feature: z.enum(MAP_FEATURES),
  /** Texture band name ('all' for RGB of every band; shape maps use 'all'). */
  band: z.string().default('all'),
  identity: z.string().default('all'),
  /** Network layer the map is about ('output' for the decision / response maps). */
  layer: z.string().default('output'),
  /** Depth index of the layer (0 = first hidden layer), for ordering the scrubber. */
  layerIndex: z.number().int().default(0),
  /** Yaw of the pose in degrees (pose invariance), 0 when frontal or pooled. */
  poseYawDeg: z.number().default(0),
  /** What the information is about: 'logit', 'decision', 'layer', 'redundancy', 'conditional'... */
  response: z.string().default(''),
};
/** Element offset into a stacked Float32 array ([L][V]: layer l starts at l × V). */
const mapOffset = z.number().int().nonnegative().default(0);
/** −1 flips the sign on load (co-information → redundancy, which is negative co-information). */
const mapSign = z.union([z.literal(1), z.literal(-1)]).default(1);

/**
 * What a clicked vertex's information is about (reverse-correlation maps, issue 14): B equal-count
 * bins of the vertex's feature; featureMean, responseMean Float32 [V][B], count Int32 [V][B].
 */
export const ResponseBinsLinks = z.object({
  bins: z.number().int().min(2),
  featureLabel: z.string(),
  responseLabel: z.string(),
  featureMean: ArtifactLink,
  responseMean: ArtifactLink,
  count: ArtifactLink,
});
export type ResponseBinsLinks = z.infer<typeof ResponseBinsLinks>;

export const DashboardMap = z.object({
  /** Unique within the dashboard, e.g. 'reverse-correlation/shape/all/id0/output/0'. */
  key: z.string(),
  title: z.string(),
  analysis: z.string(),
  ...mapFacets,
  mesh: z.string(),
  /** Float32 array holding the map; the map is values[offset .. offset + vertexCount) (stacked [L][V] arrays). */
  values: ArtifactLink,
  offset: mapOffset,
  sign: mapSign,
  vertexCount: z.number().int().positive(),
  /** Family-wise-error threshold (bits) from the permutation maximum statistic, null without a test. */
  thresholdBits: z.number().nullable(),
  maxBits: z.number().nonnegative(),
  /** Float32 [V] FWER-corrected permutation p-value per vertex (NaN: no noise, no test); absent in older runs. */
  pValues: ArtifactLink.optional(),
  /** The binned response summary per vertex; absent in older runs. */
  responseBins: ResponseBinsLinks.optional(),
  /** The unit of the values and of maxBits / thresholdBits: 'bits' for information maps (also when absent), 'logit units' for attribution maps (issue 15). */
  unit: z.string().optional(),
  /** What the map is and how it compares (an attribution's method and its agreement with the information maps); absent for most maps. */
  note: z.string().optional(),
});
export type DashboardMap = z.infer<typeof DashboardMap>;

export const CurveSeries = z.object({
  name: z.string(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  /** Network, human, or the baseline observer (pixel PCA + linear classifier), shown beside the network's curves. */
  source: z.enum(['network', 'human', 'baseline']).default('network'),
  /** Per point: true = significant (e.g. the co-information's permutation p ≤ 0.05); marked on the chart. */
  significant: z.array(z.boolean()).optional(),
});
export const DashboardCurve = z.object({
  key: z.string(),
  kind: z.enum(['training', 'generalisation', 'depth', 'pose', 'other']),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  series: z.array(CurveSeries),
  /** A sentence under the chart (e.g. the shape − texture asymmetry of network minus baseline with its interval). */
  note: z.string().optional(),
});
export type DashboardCurve = z.infer<typeof DashboardCurve>;

export const DashboardStimulus = z.object({
  identity: z.string(),
  factor: z.string(),
  image: ArtifactLink,
});
export type DashboardStimulus = z.infer<typeof DashboardStimulus>;

export const DashboardRunInfo = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.string(),
  experimentId: z.uuid().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** A few facts of the configuration for the header (identities, image size, epochs...). */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/** A comment pinned to a vertex, as the viewer draws it (author display name, ISO time). */
export const DashboardPin = z.object({
  id: z.uuid(),
  mapKey: z.string().nullable(),
  vertex: z.number().int().nonnegative(),
  position: z.tuple([z.number(), z.number(), z.number()]),
  body: z.string(),
  author: z.string(),
  createdAt: z.string(),
});
export type DashboardPin = z.infer<typeof DashboardPin>;

export const DashboardManifest = z.object({
  version: z.literal(1),
  run: DashboardRunInfo,
  meshes: z.array(DashboardMesh),
  maps: z.array(DashboardMap),
  curves: z.array(DashboardCurve),
  stimuli: z.array(DashboardStimulus),
  /** Other artifacts of the run (downloads), by name. */
  files: z.array(ArtifactLink),
});
export type DashboardManifest = z.infer<typeof DashboardManifest>;

/** What a publication freezes: the manifest plus the pins its authors allowed to be public. */
export const DashboardSnapshot = DashboardManifest.extend({
  title: z.string(),
  publishedAt: z.string(),
  pins: z.array(DashboardPin),
});
export type DashboardSnapshot = z.infer<typeof DashboardSnapshot>;

/** Every artifact id a manifest references (what a publication may serve). */
export function artifactIdsOf(m: DashboardManifest): string[] {
  const ids = new Set<string>();
  for (const mesh of m.meshes) {
    ids.add(mesh.positions.id).add(mesh.triangles.id);
    if (mesh.regions) ids.add(mesh.regions.id);
  }
  for (const map of m.maps) {
    ids.add(map.values.id);
    if (map.pValues) ids.add(map.pValues.id);
    if (map.responseBins) ids.add(map.responseBins.featureMean.id).add(map.responseBins.responseMean.id).add(map.responseBins.count.id);
  }
  for (const s of m.stimuli) ids.add(s.image.id);
  for (const f of m.files) ids.add(f.id);
  return [...ids];
}

// ---- What a step declares (its manifest's summary.dashboard), resolved by server/dashboards/build.ts

/**
 *   summary.dashboard = {
 *     meshes?:  [{ key, label?, positions: name, triangles: name, regions?: name }]  Float32 [V][3] mm, Uint32 [T][3], mesh.regions.bin
 *     maps?:    [{ key, title?, feature, band?, identity?, layer?, layerIndex?, poseYawDeg?,
 *                  mesh, values: name, thresholdBits?, maxBits? }]              Float32 [V] bits
 *     curves?:  [DashboardCurve]                                                 plain numbers
 *     stimuli?: [{ identity, factor, image: name }]                              PNG
 *   }
 * A training step may instead give summary.history = { loss[], accuracy[], valLoss[], valAccuracy[] }.
 */
export const MeshDecl = z.object({ key: z.string().default('default'), label: z.string().optional(), positions: z.string(), triangles: z.string(), regions: z.string().optional() });
export const MapDecl = z.object({
  key: z.string(),
  title: z.string().optional(),
  ...mapFacets,
  mesh: z.string().default('default'),
  values: z.string(),
  offset: mapOffset,
  /** The map's length; the mesh's vertex count when absent. */
  vertexCount: z.number().int().positive().optional(),
  sign: mapSign,
  thresholdBits: z.number().nullable().default(null),
  maxBits: z.number().nonnegative().optional(),
  /** Artifact names of the per-vertex p-values (Float32 [V]) and binned response summary ([V][bins]), when stored. */
  pValues: z.string().optional(),
  responseBins: z.object({ bins: z.number().int().min(2), featureLabel: z.string(), responseLabel: z.string(), featureMean: z.string(), responseMean: z.string(), count: z.string() }).optional(),
  /** The map's analysis when not the step's own (e.g. 'attributions' stored by the reverse-correlation step). */
  analysis: z.string().optional(),
  unit: z.string().optional(),
  note: z.string().optional(),
});
export const StimulusDecl = z.object({ identity: z.string(), factor: z.string(), image: z.string() });
export const DashboardDecl = z.object({
  meshes: z.array(MeshDecl).default([]),
  maps: z.array(MapDecl).default([]),
  curves: z.array(DashboardCurve).default([]),
  stimuli: z.array(StimulusDecl).default([]),
});
export type DashboardDecl = z.input<typeof DashboardDecl>;

/** A training step's summary.history: one number per epoch. */
export const TrainingHistory = z.object({
  loss: z.array(z.number()).optional(),
  accuracy: z.array(z.number()).optional(),
  valLoss: z.array(z.number()).optional(),
  valAccuracy: z.array(z.number()).optional(),
});
export type TrainingHistory = z.infer<typeof TrainingHistory>;
