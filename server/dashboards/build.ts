import {
  DashboardDecl, MESH_REGIONS_ARTIFACT, TrainingHistory, type ArtifactLink, type DashboardCurve, type DashboardManifest, type DashboardMap,
  type DashboardMesh, type DashboardStimulus, type Manifest,
} from '../../workers/contract';

/**
 * Builds a run's dashboard manifest from the manifests its steps wrote. A step describes what it
 * wants shown in `summary.dashboard` (DashboardDecl in workers/contract/dashboard.ts, which documents
 * the convention), naming its binary arrays by artifact name; this module resolves names to artifact
 * rows (ids for the artifact route) and checks sizes against the declared vertex counts, so the
 * viewer never receives a map that does not fit its mesh.
 */
export interface ArtifactRowLike {
  id: string;
  key: string;
  name: string;
  size: number;
  contentType: string;
}

export interface BuildInput {
  run: { id: string; name: string; status: string; experimentId: string | null; createdAt: Date; finishedAt: Date | null; facts: Record<string, string | number | boolean> };
  /** Step manifests in plan order (the finalise manifest last). */
  manifests: Manifest[];
  /** The run's artifact rows by content key. */
  rowsByKey: Map<string, ArtifactRowLike>;
  /** Declarations derived from analysis result summaries (results.ts), by step id. */
  derived?: Map<string, DashboardDecl>;
}

function link(row: ArtifactRowLike, name: string): ArtifactLink {
  return { id: row.id, name, size: row.size, contentType: row.contentType };
}

/** Builds the manifest; problems (a missing artifact, a size mismatch) are returned, not thrown. */
export function buildDashboard(input: BuildInput): { manifest: DashboardManifest; problems: string[] } {
  const problems: string[] = [];
  const meshes = new Map<string, DashboardMesh>();
  const maps: DashboardMap[] = [];
  const curves: DashboardCurve[] = [];
  const stimuli: DashboardStimulus[] = [];
  const used = new Set<string>();
  const files: ArtifactLink[] = [];

  for (const m of input.manifests) {
    const byName = new Map(m.artifacts.map((a) => [a.name, a]));
    const resolve = (name: string, what: string): ArtifactLink | null => {
      // Bundle files may be stored under a folder prefix (e.g. 'bundle/rc/id0/shape.mi.f32').
      const ref = byName.get(name) ?? m.artifacts.find((a) => a.name.endsWith(`/${name}`));
      const row = ref && input.rowsByKey.get(ref.key);
      if (!ref || !row) {
        problems.push(`${m.stepId}: ${what} names artifact '${name}', which the step did not store`);
        return null;
      }
      used.add(row.id);
      return link(row, name);
    };
    const parsed = DashboardDecl.safeParse(m.summary.dashboard ?? {});
    if (!parsed.success) problems.push(`${m.stepId}: summary.dashboard is malformed: ${parsed.error.issues[0]?.message}`);
    const decl = parsed.success ? parsed.data : DashboardDecl.parse({});
    const extra = input.derived?.get(m.stepId);
    if (extra) {
      // Derived curves may hold points without an estimate (NaN): gaps, not a refused manifest.
      const e = DashboardDecl.parse({ ...extra, curves: withFinitePoints((extra as { curves?: DashboardCurve[] }).curves ?? []) });
      decl.meshes.push(...e.meshes);
      decl.maps.push(...e.maps);
      decl.curves.push(...e.curves);
      decl.stimuli.push(...e.stimuli);
    }

    // Convention: a step that stores mesh.positions.f32 + mesh.triangles.u32 provides the 'default' mesh.
    const pos = m.artifacts.find((a) => a.name === 'mesh.positions.f32' || a.name.endsWith('/mesh.positions.f32'));
    const tri = m.artifacts.find((a) => a.name === 'mesh.triangles.u32' || a.name.endsWith('/mesh.triangles.u32'));
    const reg = m.artifacts.find((a) => a.name === MESH_REGIONS_ARTIFACT || a.name.endsWith(`/${MESH_REGIONS_ARTIFACT}`));
    if (pos && tri && !decl.meshes.some((d) => d.key === 'default')) decl.meshes.push({ key: 'default', label: 'face model', positions: pos.name, triangles: tri.name, regions: reg?.name });
    for (const d of decl.meshes) {
      const positions = resolve(d.positions, `mesh ${d.key} positions`);
      const triangles = resolve(d.triangles, `mesh ${d.key} triangles`);
      if (!positions || !triangles) continue;
      if (positions.size % 12 !== 0 || triangles.size % 12 !== 0) {
        problems.push(`${m.stepId}: mesh ${d.key}: positions (${positions.size} B) and triangles (${triangles.size} B) must be whole [n][3] 4-byte arrays`);
        continue;
      }
      const regions = d.regions ? resolve(d.regions, `mesh ${d.key} regions`) : null;
      const vertexCount = positions.size / 12;
      if (regions && regions.size < vertexCount) problems.push(`${m.stepId}: mesh ${d.key}: regions (${regions.size} B) shorter than its ${vertexCount} vertices`);
      const ok = regions && regions.size >= vertexCount ? { regions } : {};
      meshes.set(d.key, { key: d.key, label: d.label ?? d.key, vertexCount, triangleCount: triangles.size / 12, positions, triangles, ...ok });
    }
    for (const d of decl.maps) {
      const values = resolve(d.values, `map ${d.key}`);
      if (!values) continue;
      const vertexCount = d.vertexCount ?? values.size / 4 - d.offset;
      if (values.size % 4 !== 0 || (d.offset + vertexCount) * 4 > values.size) {
        problems.push(`${m.stepId}: map ${d.key}: [${d.offset}, ${d.offset + vertexCount}) lies outside its ${values.size} B Float32 array`);
        continue;
      }
      // Optional per-vertex extras (issue 14): dropped with a problem when missing or of the wrong size, the map itself stays.
      const sized = (name: string | undefined, what: string, bytes: number): ArtifactLink | undefined => {
        if (!name) return undefined;
        const a = resolve(name, `map ${d.key} ${what}`);
        if (a && a.size !== bytes) problems.push(`${m.stepId}: map ${d.key}: ${what} holds ${a.size} B, expected ${bytes} B`);
        return a && a.size === bytes ? a : undefined;
      };
      const pValues = sized(d.pValues, 'p-values', vertexCount * 4);
      const rb = d.responseBins;
      const binLinks = rb ? [sized(rb.featureMean, 'bin feature means', vertexCount * rb.bins * 4), sized(rb.responseMean, 'bin response means', vertexCount * rb.bins * 4), sized(rb.count, 'bin counts', vertexCount * rb.bins * 4)] as const : null;
      const responseBins = rb && binLinks && binLinks[0] && binLinks[1] && binLinks[2]
        ? { bins: rb.bins, featureLabel: rb.featureLabel, responseLabel: rb.responseLabel, featureMean: binLinks[0], responseMean: binLinks[1], count: binLinks[2] }
        : undefined;
      maps.push({
        ...(pValues ? { pValues } : {}),
        ...(responseBins ? { responseBins } : {}),
        key: d.key,
        title: d.title ?? d.key,
        analysis: d.analysis ?? m.functionId.replace(/^analysis-/, ''),
        feature: d.feature,
        band: d.band,
        identity: d.identity,
        layer: d.layer,
        layerIndex: d.layerIndex,
        poseYawDeg: d.poseYawDeg,
        response: d.response,
        mesh: d.mesh,
        values,
        offset: d.offset,
        sign: d.sign,
        vertexCount,
        thresholdBits: d.thresholdBits,
        maxBits: d.maxBits ?? 0,
        // information maps (bits) leave unit out: manifests of earlier runs stay as they were
        ...(d.unit ? { unit: d.unit } : {}),
        ...(d.note ? { note: d.note } : {}),
      });
    }
    curves.push(...decl.curves);
    for (const d of decl.stimuli) {
      const image = resolve(d.image, `stimulus ${d.identity}/${d.factor}`);
      if (image) stimuli.push({ identity: d.identity, factor: d.factor, image });
    }
    const history = TrainingHistory.safeParse(m.summary.history);
    if (history.success && (history.data.loss?.length || history.data.accuracy?.length)) curves.push(...trainingCurves(history.data));
    for (const ref of m.artifacts) {
      const row = input.rowsByKey.get(ref.key);
      if (row && !files.some((f) => f.id === row.id)) files.push(link(row, ref.name));
    }
  }

  // A map is drawable only on a mesh with its vertex count.
  const drawable = maps.filter((map) => {
    const mesh = meshes.get(map.mesh);
    if (!mesh) problems.push(`map ${map.key}: no mesh '${map.mesh}' (a step must store mesh.positions.f32 and mesh.triangles.u32)`);
    else if (mesh.vertexCount !== map.vertexCount) problems.push(`map ${map.key}: ${map.vertexCount} values for a mesh of ${mesh.vertexCount} vertices`);
    else return true;
    return false;
  });

  return {
    manifest: {
      version: 1,
      run: {
        id: input.run.id,
        name: input.run.name,
        status: input.run.status,
        experimentId: input.run.experimentId,
        createdAt: input.run.createdAt.toISOString(),
        finishedAt: input.run.finishedAt?.toISOString() ?? null,
        facts: input.run.facts,
      },
      meshes: [...meshes.values()],
      maps: drawable,
      curves: withFinitePoints(curves),
      stimuli,
      files: files.filter((f) => !used.has(f.id)),
    },
    problems,
  };
}

/**
 * Curves keep only their points with a finite y (an estimate that could not be made, e.g. a level
 * an analysis did not test, is a gap in the line, not a NaN the manifest refuses); a series left
 * without points is dropped, and a curve without series.
 */
export function withFinitePoints(curves: DashboardCurve[]): DashboardCurve[] {
  return curves
    .map((c) => ({
      ...c,
      series: c.series
        .map((s) => {
          const keep = s.y.map((y, i) => Number.isFinite(y) && Number.isFinite(s.x[i]));
          if (keep.every(Boolean)) return s;
          const pick = <T,>(a: T[]) => a.filter((_, i) => keep[i]);
          return { ...s, x: pick(s.x), y: pick(s.y), ...(s.significant ? { significant: pick(s.significant) } : {}) };
        })
        .filter((s) => s.y.length > 0),
    }))
    .filter((c) => c.series.length > 0);
}

/** Loss and accuracy per epoch (training and validation) as two curves. */
export function trainingCurves(h: TrainingHistory): DashboardCurve[] {
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const series = (name: string, y: number[] | undefined) => (y?.length ? [{ name, x: epochs(y.length), y, source: 'network' as const }] : []);
  return [
    { key: 'training/loss', kind: 'training', title: 'Training loss', xLabel: 'epoch', yLabel: 'cross-entropy (nats)', series: [...series('training', h.loss), ...series('validation', h.valLoss)] },
    { key: 'training/accuracy', kind: 'training', title: 'Identification accuracy', xLabel: 'epoch', yLabel: 'top-1 accuracy', series: [...series('training', h.accuracy), ...series('validation', h.valAccuracy)] },
  ].filter((c) => c.series.length > 0) as DashboardCurve[];
}
