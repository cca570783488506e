/**
 * FACS action units from ICT-FaceKit's ARKit-style expression shapes (the table in
 * ../shared/facemodels/ict-facekit/full/README.md), and the six basic emotions as AU combinations.
 *
 * Approximations (ICT has no shape for these; documented in workers/faces/README.md):
 * - AU23 (lip tightener) ≈ mouthPress_L + mouthPress_R.
 * - AU26 (jaw drop) ≈ 0.4 · jawOpen (AU27, mouth stretch, is the full jawOpen).
 * - AU25 (lips part) ≈ 0.5 · (mouthLowerDown_L + R) + 0.3 · (mouthUpperUp_L + R).
 * - AU43 (eyes closed) = eyeBlink_L + R (the same shape as AU45, blink).
 * - AU41 (lid droop) ≈ 0.4 · (eyeBlink_L + R).
 */
export const ACTION_UNITS: Record<string, Record<string, number>> = {
  AU1: { browInnerUp_L: 1, browInnerUp_R: 1 },
  AU2: { browOuterUp_L: 1, browOuterUp_R: 1 },
  AU4: { browDown_L: 1, browDown_R: 1 },
  AU5: { eyeWide_L: 1, eyeWide_R: 1 },
  AU6: { cheekSquint_L: 1, cheekSquint_R: 1 },
  AU7: { eyeSquint_L: 1, eyeSquint_R: 1 },
  AU9: { noseSneer_L: 1, noseSneer_R: 1 },
  AU10: { mouthShrugUpper: 1 },
  AU11: { mouthUpperUp_L: 1, mouthUpperUp_R: 1 },
  AU12: { mouthSmile_L: 1, mouthSmile_R: 1 },
  AU14: { mouthDimple_L: 1, mouthDimple_R: 1 },
  AU15: { mouthFrown_L: 1, mouthFrown_R: 1 },
  AU16: { mouthLowerDown_L: 1, mouthLowerDown_R: 1 },
  AU17: { mouthShrugLower: 1 },
  AU18: { mouthPucker: 1 },
  AU20: { mouthStretch_L: 1, mouthStretch_R: 1 },
  AU22: { mouthFunnel: 1 },
  AU23: { mouthPress_L: 1, mouthPress_R: 1 },
  AU24: { mouthPress_L: 0.6, mouthPress_R: 0.6, mouthRollLower: 0.2, mouthRollUpper: 0.2 },
  AU25: { mouthLowerDown_L: 0.5, mouthLowerDown_R: 0.5, mouthUpperUp_L: 0.3, mouthUpperUp_R: 0.3 },
  AU26: { jawOpen: 0.4 },
  AU27: { jawOpen: 1 },
  AU28: { mouthRollLower: 1, mouthRollUpper: 1 },
  AU41: { eyeBlink_L: 0.4, eyeBlink_R: 0.4 },
  AU45: { eyeBlink_L: 1, eyeBlink_R: 1 },
};

export const EMOTIONS = ['neutral', 'happiness', 'sadness', 'surprise', 'fear', 'anger', 'disgust'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** AU weights of the six basic emotions at full intensity (common FACS/EMFACS prototypes). */
export const EMOTION_AUS: Record<Emotion, Record<string, number>> = {
  neutral: {},
  happiness: { AU6: 0.8, AU12: 1 },
  sadness: { AU1: 1, AU4: 0.6, AU15: 1, AU17: 0.4 },
  surprise: { AU1: 1, AU2: 1, AU5: 0.8, AU26: 1 },
  fear: { AU1: 1, AU2: 0.6, AU4: 0.6, AU5: 1, AU7: 0.4, AU20: 0.8, AU26: 0.7 },
  anger: { AU4: 1, AU5: 0.5, AU7: 0.8, AU23: 1 },
  disgust: { AU9: 1, AU10: 0.6, AU15: 0.5, AU17: 0.5 },
};

/** The expression rows [AU][V*3] mm from the ICT shapes (name → [V*3] mm). */
export function actionUnitShapes(shapes: Record<string, Float32Array>, n: number): { names: string[]; rows: Float32Array } {
  const names = Object.keys(ACTION_UNITS);
  const rows = new Float32Array(names.length * n);
  names.forEach((au, a) => {
    for (const [shape, w] of Object.entries(ACTION_UNITS[au])) {
      const s = shapes[shape];
      if (!s) throw new Error(`action unit ${au} needs the ICT shape '${shape}', which the built-in file lacks`);
      for (let i = 0; i < n; i++) rows[a * n + i] += w * s[i];
    }
  });
  return { names, rows };
}

/**
 * Expression weights [Ke] (in `expressionNames` order) of an emotion at an intensity in [0, 1].
 * Works for any model whose expression names include the AUs the emotion uses.
 */
export function emotionWeights(expressionNames: string[], emotion: Emotion, intensity: number): Float32Array {
  if (!EMOTIONS.includes(emotion)) throw new Error(`emotion must be one of ${EMOTIONS.join(', ')}, got '${emotion}'`);
  if (!(intensity >= 0 && intensity <= 1)) throw new Error(`expression intensity must be in [0, 1], got ${intensity}`);
  const out = new Float32Array(expressionNames.length);
  for (const [au, w] of Object.entries(EMOTION_AUS[emotion])) {
    const i = expressionNames.indexOf(au);
    if (i < 0) throw new Error(`emotion '${emotion}' needs action unit ${au}, which this model lacks (its expressions: ${expressionNames.join(', ')})`);
    out[i] = w * intensity;
  }
  return out;
}
