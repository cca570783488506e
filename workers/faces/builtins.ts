/**
 * The registry of built-in face models. `faces.model` names one of BUILTIN_FACE_MODELS or an
 * imported model's artifact. `default` is an alias of `procedural` (the built-in model before
 * `ict` existed), so stored configs and finished runs that say `default` stay reproducible.
 */
import { loadDefaultFaceModel } from './default-model';
import { loadIctFaceModel } from './ict/ict-model';
import type { FaceModel } from './model';

export const BUILTIN_FACE_MODELS = ['ict', 'procedural'] as const;
export type BuiltinFaceModelName = (typeof BUILTIN_FACE_MODELS)[number];
/** Names accepted for a built-in model, including the legacy alias. */
export const BUILTIN_FACE_MODEL_ALIASES: Record<string, BuiltinFaceModelName> = { ict: 'ict', procedural: 'procedural', default: 'procedural' };

export function isBuiltinFaceModel(name: string): boolean {
  return Object.hasOwn(BUILTIN_FACE_MODEL_ALIASES, name);
}

export function loadBuiltinFaceModel(name: string): FaceModel {
  const resolved = BUILTIN_FACE_MODEL_ALIASES[name];
  if (!resolved) throw new Error(`faces.model: '${name}' is not a built-in face model (${Object.keys(BUILTIN_FACE_MODEL_ALIASES).join(', ')})`);
  return resolved === 'ict' ? loadIctFaceModel() : loadDefaultFaceModel();
}
