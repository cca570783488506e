/** Render options: every extrinsic factor of a stimulus, with defaults and range checks. */
import { z } from 'zod';

const rgb = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]);

export const backgroundSchema = z.union([
  z.object({ kind: z.literal('flat'), color: rgb }),
  /** Per-pixel uniform noise in [mean − amplitude, mean + amplitude] (grey), seeded. */
  z.object({ kind: z.literal('noise'), mean: z.number().min(0).max(1), amplitude: z.number().min(0).max(1), seed: z.number().int() }),
]);
export type Background = z.infer<typeof backgroundSchema>;

export const renderOptionsSchema = z.object({
  /** Output width = height in px. */
  size: z.number().int().min(8).max(256).default(64),
  /** Pose in degrees (camera.ts conventions). */
  yaw: z.number().min(-90).max(90).default(0),
  pitch: z.number().min(-90).max(90).default(0),
  roll: z.number().min(-180).max(180).default(0),
  /** Directional light: azimuth/elevation in degrees (0, 0 = from the camera), intensity, colour. */
  lightAzimuth: z.number().min(-180).max(180).default(20),
  lightElevation: z.number().min(-90).max(90).default(25),
  lightIntensity: z.number().min(0).max(4).default(0.85),
  lightColor: rgb.default([1, 1, 1]),
  ambient: z.number().min(0).max(4).default(0.35),
  ambientColor: rgb.default([1, 1, 1]),
  /**
   * Optional spherical-harmonic lighting, replacing the directional + ambient model: 27 numbers,
   * 9 real SH coefficients (bands 0..2, order Y00, Y1−1, Y10, Y11, Y2−2, Y2−1, Y20, Y21, Y22) per
   * colour channel R, G, B, as irradiance coefficients (Ramamoorthi & Hanrahan 2001).
   */
  sh: z.array(z.number()).length(27).nullable().default(null),
  /** Zoom (1 = the image spans 260 mm at the head's depth) and 2D translation in fractions of the image size (x right, y down). */
  scale: z.number().min(0.1).max(5).default(1),
  translateX: z.number().min(-1).max(1).default(0),
  translateY: z.number().min(-1).max(1).default(0),
  background: backgroundSchema.default({ kind: 'flat', color: [0.5, 0.5, 0.5] }),
  /** Supersampling factor per axis (1 = off). */
  ssaa: z.number().int().min(1).max(4).default(1),
  /** Also return the per-pixel triangle index and barycentric buffers (at output resolution, ssaa 1 only). */
  ids: z.boolean().default(false),
});
export type RenderOptions = z.infer<typeof renderOptionsSchema>;
export type RenderOptionsInput = z.input<typeof renderOptionsSchema>;

/** Fills defaults and checks ranges; the error names the field and the allowed range. */
export function resolveRenderOptions(input: RenderOptionsInput = {}): RenderOptions {
  const r = renderOptionsSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`render option '${i.path.join('.')}': ${i.message}`);
  }
  if (r.data.ids && r.data.ssaa !== 1) throw new Error(`render option 'ids': triangle/barycentric buffers need ssaa = 1 (got ${r.data.ssaa})`);
  return r.data;
}
