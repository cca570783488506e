/**
 * Rendering the analyses' stimuli with the renderer's StimulusRenderer (workers/render): an
 * identity after a manipulation, or a face whose positions and albedo carry a trial's noise, at one
 * view, into the network's input layout. Nothing here draws pixels itself.
 *
 * Images: Float32Array [n][size][size][3], display RGB in [0, 1] (the renderer's output).
 */
import type { FaceModel } from '../faces/model';
import type { Demographics, Identity } from '../faces/identity';
import { computeVertexNormals } from '../faces';
import type { RenderOptions, RenderOptionsInput } from '../render/options';
import type { RenderOutput } from '../render/rasterizer';
import { StimulusRenderer as Renderer, prepareRenderOptions } from '../render';

/** A view of the analyses: image size and pose (degrees); lighting and background at the renderer's defaults. */
export interface View {
  sizePx: number;
  yawDeg: number;
  pitchDeg?: number;
  /** Any further render option (light, scale, background). */
  extra?: RenderOptionsInput;
}

export function renderOptionsFor(view: View, ids = false): RenderOptions {
  return prepareRenderOptions({ ...view.extra, size: view.sizePx, yaw: view.yawDeg, pitch: view.pitchDeg ?? 0, ids });
}

/** The average face of the model's demographic space (gender 0, reference age, equal ethnicity weights). */
export function averageDemographics(model: FaceModel): Demographics {
  const G = model.demographics.ethnicityGroups.length;
  return { gender: 0, age: model.demographics.ageReference, ethnicity: Array.from({ length: G }, () => 1 / G) };
}

/** Renders faces into image batches (one renderer, so its buffers are allocated once). */
export class StimulusRenderer {
  private readonly renderer: Renderer;
  private readonly normals: Float32Array;

  constructor(readonly model: FaceModel) {
    this.renderer = new Renderer(model, 256, 1);
    this.normals = new Float32Array(model.vertexCount * 3);
  }

  /** Renders one face (positions mm, albedo linear RGB, both [V][3]) into `out` (size²·3); returns the render output. */
  renderFace(positions: Float32Array, albedo: Float32Array, options: RenderOptions, out: Float32Array): RenderOutput {
    computeVertexNormals(positions, this.model.triangles, this.normals);
    const o = this.renderer.renderGeometry({ positions, normals: this.normals, albedo }, options);
    out.set(o.rgb);
    return o;
  }

  /** Renders an identity (geometry from workers/faces, cached by the renderer) into `out`. */
  renderIdentity(id: Identity, options: RenderOptions, out: Float32Array): RenderOutput {
    const o = this.renderer.render(id, options);
    out.set(o.rgb);
    return o;
  }
}
