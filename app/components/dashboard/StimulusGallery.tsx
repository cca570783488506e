'use client';

import { useState } from 'react';
import type { DashboardStimulus } from '@/workers/contract';

const identityLabel = (id: string) => (/^\d+$|^id\d+$/.test(id) ? `Identity ${id.replace(/^id/, '')}` : id[0]!.toUpperCase() + id.slice(1));

/**
 * The stimuli of a run: the render step's contact sheet(s), then the images of one identity at a
 * time (the user picks it) captioned with each image's factor values (pose, light, scale, shift).
 */
export function StimulusGallery({ stimuli, urlOf }: { stimuli: DashboardStimulus[]; urlOf: (artifactId: string) => string }) {
  const perIdentity = stimuli.filter((s) => /^id\d+$/.test(s.identity));
  const sheets = stimuli.filter((s) => !/^id\d+$/.test(s.identity));
  const identities = [...new Set(perIdentity.map((s) => s.identity))];
  const [picked, setPicked] = useState<string | null>(null);
  const shown = picked && identities.includes(picked) ? picked : (identities[0] ?? null);
  const figure = (s: DashboardStimulus) => (
    <figure key={s.image.id}>
      {/* eslint-disable-next-line @next/next/no-img-element -- small artifact PNGs, no optimisation wanted */}
      <img src={urlOf(s.image.id)} alt={`${identityLabel(s.identity)}, ${s.factor}`} loading="lazy" />
      <figcaption>{s.factor}</figcaption>
    </figure>
  );
  return (
    <>
      {[...new Set(sheets.map((s) => s.identity))].map((id) => (
        <div key={id}>
          <h3 className="small">{identityLabel(id)}</h3>
          <div className="gallery">{sheets.filter((s) => s.identity === id).map(figure)}</div>
        </div>
      ))}
      {shown && (
        <div data-testid="identity-gallery">
          <label className="control" htmlFor="gallery-identity">
            <span>Identity</span>
            <select id="gallery-identity" value={shown} onChange={(e) => setPicked(e.target.value)}>
              {identities.map((id) => (
                <option key={id} value={id}>
                  {identityLabel(id)}
                </option>
              ))}
            </select>
          </label>
          <div className="gallery gallery-captioned">{perIdentity.filter((s) => s.identity === shown).map(figure)}</div>
        </div>
      )}
    </>
  );
}
