/**
 * Rendering the analyses' stimuli: an identity (after a manipulation, plus a trial's noise) at a
 * view, into the network's input layout. Uses the face model's identity geometry (workers/faces)
 * and the software rasteriser (workers/render); nothing here draws pixels itself.
 *
 * Images: Float32Array [n][size][size][3], display RGB in [0, 1] (the renderer's output).
 */
import type { FaceModel } from '../faces/model';
import { type Demographics, type Identity, identityAlbedo, identityPositions } from '../faces/identity';
import { computeVertexNormals } from '../faces/meshops';
import { resolveRenderOptions, type RenderOptions, type RenderOptionsInput } from '../render/options';
import { Rasterizer, type RenderOutput } from '../render/rasterizer';

/** A view of the analyses: image size and pose (degrees); lighting and background at the renderer's defaults. */
export interface View {
  sizePx: number;
  yawDeg: number;
  pitchDeg?: number;
  /** Any further render option (light, scale, background). */
  extra?: RenderOptionsInput;
}

export function renderOptionsFor(view: View, ids = false): RenderOptions {
  return resolveRenderOptions({ ...view.extra, size: view.sizePx, yaw: view.yawDeg, pitch: view.pitchDeg ?? 0, ids });
}

/** The average face of the model's demographic space (gender 0, reference age, equal ethnicity weights). */
export function averageDemographics(model: FaceModel): Demographics {
  const G = model.demographics.ethnicityGroups.length;
  return { gender: 0, age: model.demographics.ageReference, ethnicity: Array.from({ length: G }, () => 1 / G) };
}

/** Renders faces given as (positions, albedo) into a batch; one rasteriser per model topology. */
export class StimulusRenderer {
  private readonly raster: Rasterizer;
  private readonly normals: Float32Array;
  private outputs = new Map<string, RenderOutput>();

  constructor(readonly model: FaceModel) {
    this.raster = new Rasterizer(model.triangles, model.vertexCount, 256, 1);
    this.normals = new Float32Array(model.vertexCount * 3);
  }

  private output(size: number, ids: boolean): RenderOutput {
    const key = `${size}:${ids}`;
    let o = this.outputs.get(key);
    if (!o) {
      o = this.raster.createOutput(size, ids);
      this.outputs.set(key, o);
    }
    return o;
  }

  /** Renders one face into `out` (length size²·3) and returns the render output (ids when asked). */
  renderFace(positions: Float32Array, albedo: Float32Array, options: RenderOptions, out: Float32Array): RenderOutput {
    computeVertexNormals(positions, this.model.triangles, this.normals);
    const o = this.raster.render(positions, this.normals, albedo, options, this.output(options.size, options.ids));
    out.set(o.rgb);
    return o;
  }

  /** Renders an identity (geometry from workers/faces) into `out`. */
  renderIdentity(id: Identity, options: RenderOptions, out: Float32Array): RenderOutput {
    return this.renderFace(identityPositions(this.model, id), identityAlbedo(this.model, id), options, out);
  }
}
