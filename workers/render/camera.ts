/**
 * Camera and pose conventions of the renderer.
 * - Model space: mm, x right (in a frontal view), y up, z towards the camera; the pose pivot is the
 *   origin (the head centre of the default model).
 * - Pose: R = Rz(roll) · Rx(pitch) · Ry(yaw), angles in degrees. yaw > 0 turns the nose towards the
 *   image right, pitch > 0 lifts the nose, roll > 0 turns the face counter-clockwise in the image.
 * - Perspective camera on the +z axis at CAMERA_DISTANCE_MM from the pivot, looking at it. At
 *   scale 1 the image spans FIELD_OF_VIEW_MM at the pivot's depth, whatever the image size.
 * - Screen: pixel (px, py), py down; pixel centres at integer + 0.5.
 */
export const CAMERA_DISTANCE_MM = 800;
export const FIELD_OF_VIEW_MM = 260;
export const NEAR_MM = 10;

/** Focal length in pixels for an image `size` px wide at zoom `scale`. */
export function focalLengthPx(size: number, scale: number): number {
  return (size * scale * CAMERA_DISTANCE_MM) / FIELD_OF_VIEW_MM;
}

/** The 3×3 rotation (row-major) of a pose in degrees. */
export function poseMatrix(yawDeg: number, pitchDeg: number, rollDeg: number, out = new Float64Array(9)): Float64Array {
  const d = Math.PI / 180;
  const cy = Math.cos(yawDeg * d), sy = Math.sin(yawDeg * d);
  const cp = Math.cos(pitchDeg * d), sp = Math.sin(pitchDeg * d);
  const cr = Math.cos(rollDeg * d), sr = Math.sin(rollDeg * d);
  // Ry: x' = x cy + z sy, z' = −x sy + z cy (nose at +z moves to +x)
  // Rx: y' = y cp + z sp, z' = −y sp + z cp (nose moves up)
  // Rz: x' = x cr − y sr, y' = x sr + y cr
  // R = Rz · Rx · Ry, written out (no allocation: this runs once per image).
  const m00 = cy, m01 = 0, m02 = sy; // Rx · Ry, row 0
  const m10 = sp * -sy, m11 = cp, m12 = sp * cy; // row 1: cp·(0,1,0) + sp·(−sy,0,cy)
  const m20 = cp * -sy, m21 = -sp, m22 = cp * cy; // row 2: −sp·(0,1,0) + cp·(−sy,0,cy)
  out[0] = cr * m00 - sr * m10; out[1] = cr * m01 - sr * m11; out[2] = cr * m02 - sr * m12;
  out[3] = sr * m00 + cr * m10; out[4] = sr * m01 + cr * m11; out[5] = sr * m02 + cr * m12;
  out[6] = m20; out[7] = m21; out[8] = m22;
  return out;
}

/** Unit vector towards the light from azimuth (deg, > 0 = from the image right) and elevation (deg, > 0 = from above). */
export function lightDirection(azimuthDeg: number, elevationDeg: number): [number, number, number] {
  const a = (azimuthDeg * Math.PI) / 180, e = (elevationDeg * Math.PI) / 180;
  return [Math.cos(e) * Math.sin(a), Math.sin(e), Math.cos(e) * Math.cos(a)];
}
