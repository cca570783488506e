'use client';

import { useState } from 'react';
import type { ArtifactLink, DashboardMap, HumanRcNoise, HumanSummary } from '@/workers/contract';
import { MapPanel, type MapSource } from '@/app/components/viewer/MapPanel';

/**
 * People's reverse-correlation maps on a run's dashboard (issue 15): per participant and pooled
 * (I(feature; "yes, it is face N") in bits per vertex, permutation max-statistic FWER threshold,
 * workers/analyses/human/reverse-correlation.ts), the population prevalence of a significant map
 * with its interval (Bayesian prevalence, Ince et al. 2021), and the pooled map beside the
 * network's map of the same identity and feature in one viewer on one colour scale, with their
 * agreement (analyses/map-agreement.ts through analyses/human/beside.ts). Nothing is estimated here:
 * the numbers come from the stored analysis, the arrays from the run's artifacts.
 */
type Rc = NonNullable<HumanSummary['reverseCorrelation']>;

const f2 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

/** The dashboard map of one stored human map (null when its array is missing or no mesh has its vertex count). */
export function humanMap(opts: {
  sessionId: string;
  who: string;
  title: string;
  mi: { file: string; shape: number[] } | null;
  thresholdBits: number | null;
  arrays: Record<string, ArtifactLink>;
  spec: HumanRcNoise | null;
  feature: 'shape' | 'texture';
  response: string;
  meshes: { key: string; vertexCount: number }[];
}): DashboardMap | null {
  const values = opts.mi ? opts.arrays[opts.mi.file] : undefined;
  const V = opts.mi?.shape[0];
  const mesh = opts.meshes.find((m) => m.vertexCount === V);
  if (!values || !V || !mesh) return null;
  return {
    key: `humans/${opts.sessionId}/${opts.who}`,
    title: opts.title,
    analysis: 'humans',
    feature: opts.feature,
    band: 'all',
    identity: opts.spec ? `id${opts.spec.identity}` : 'all',
    layer: 'output',
    layerIndex: 0,
    poseYawDeg: opts.spec?.yawDeg ?? 0,
    response: opts.response,
    mesh: mesh.key,
    values,
    offset: 0,
    sign: 1,
    vertexCount: V,
    thresholdBits: opts.thresholdBits,
    maxBits: 0,
  };
}

export function HumanMaps({ sessionId, rc, arrays, spec, network }: { sessionId: string; rc: Rc; arrays: Record<string, ArtifactLink>; spec: HumanRcNoise | null; network?: MapSource }) {
  const [who, setWho] = useState('pooled');
  const feature = rc.options.feature;
  const response = rc.options.response;
  const meshes = network?.meshes ?? [];
  const common = { sessionId, arrays, spec, feature, response, meshes };
  const pooled = humanMap({ ...common, who: 'pooled', title: `People, pooled (${rc.pooled.participants.length} included, ${rc.pooled.trials} trials): ${feature}, ${response}`, mi: rc.pooled.mi, thresholdBits: rc.pooled.thresholdBits });
  const perParticipant = rc.participants.map((p) => ({
    p,
    map: humanMap({ ...common, who: p.participant, title: `Participant ${p.participant} (${p.trials} trials${p.flagged ? ', flagged' : ''}): ${feature}, ${response}`, mi: p.mi, thresholdBits: p.thresholdBits }),
  }));
  const options = [...(pooled ? [{ value: 'pooled', label: 'pooled', map: pooled }] : []), ...perParticipant.filter((x) => x.map).map((x) => ({ value: x.p.participant, label: x.p.participant, map: x.map! }))];
  const chosen = options.find((o) => o.value === who) ?? options[0];
  const prev = rc.prevalence;
  const agree = rc.network;
  return (
    <div className="stack-tight" data-testid="human-rc">
      <h4>Reverse correlation: what people use</h4>
      <table aria-label="Reverse-correlation maps per participant">
        <thead>
          <tr><th>Observer</th><th>Trials</th><th>Significant vertices</th><th>FWER threshold (bits)</th></tr>
        </thead>
        <tbody>
          {rc.participants.map((p) => (
            <tr key={p.participant} className={p.flagged ? 'hs-flagged' : undefined} data-testid="human-rc-participant" data-significant={p.significant}>
              <td>{p.participant}{p.flagged ? ' (flagged: not pooled)' : ''}</td>
              <td>{p.trials}</td>
              <td>{p.significantVertices ?? 'no map (the answers do not vary enough)'}</td>
              <td>{f2(p.thresholdBits)}</td>
            </tr>
          ))}
          <tr data-testid="human-rc-pooled">
            <td><strong>pooled</strong></td>
            <td>{rc.pooled.trials}</td>
            <td>{rc.pooled.significantVertices ?? 'no map'}</td>
            <td>{f2(rc.pooled.thresholdBits)}</td>
          </tr>
        </tbody>
      </table>
      {rc.pooled.trials < 200 && (
        <p className="small muted" data-testid="human-rc-few">
          Only {rc.pooled.trials} pooled noise trials: with so few, the maps&apos; permutation thresholds are high and maps are mostly noise. A person&apos;s map needs a few
          hundred trials (a planted observer reading one small region is recovered from 357, tests/server/human-rc.test.ts).
        </p>
      )}
      <p className="small" data-testid="human-prevalence">
        {prev
          ? `Population prevalence of a significant map: ${prev.k} of ${prev.n} included participants; MAP ${f2(prev.map)}, ${Math.round(prev.credibility * 100)} % HPDI [${f2(prev.hpdi[0])}, ${f2(prev.hpdi[1])}], lower bound ${f2(prev.lowerBound)} (Bayesian prevalence, α = ${prev.alpha}, β = ${prev.beta}).`
          : 'No prevalence: no included participant has a map yet.'}
      </p>
      <p className="small" data-testid="human-map-agreement">
        {agree
          ? `Pooled people beside the network (${spec?.network?.response ?? 'its'} map, ${feature}): Pearson r = ${f2(agree.pearson)}, Spearman ρ = ${f2(agree.spearman)} over ${agree.vertices} vertices; Dice of the top ${Math.round(agree.topFraction * 100)} % = ${f2(agree.diceTop)}, Dice of the significant vertices = ${f2(agree.diceSignificant)}.`
          : 'No agreement with the network: this run stores no network map for these stimuli, or the pooled map could not be computed.'}
      </p>
      {chosen && network ? (
        <>
          <label className="control" htmlFor={`hs-observer-${sessionId}`}>
            <span>Observer (left); the network&apos;s map on the right, same colour scale</span>
            <select id={`hs-observer-${sessionId}`} value={chosen.value} onChange={(e) => setWho(e.target.value)}>
              {options.map((o) => (
                <option key={o.value} value={o.value}>{o.label}</option>
              ))}
            </select>
          </label>
          <div data-testid="human-map" data-map={chosen.map.key}>
            <MapPanel
              key={chosen.map.key}
              idPrefix={`hs-map-${sessionId.slice(0, 8)}`}
              sources={[
                { id: 'humans', label: 'People', maps: [chosen.map], meshes: network.meshes, urlOf: network.urlOf },
                { ...network, id: 'network', label: 'Network' },
              ]}
              initialCompare={{ sourceId: 'network', choice: { analysis: 'reverse-correlation', feature, identity: chosen.map.identity, response: spec?.network?.response ?? response } }}
            />
          </div>
        </>
      ) : (
        <p className="small muted">No map to draw{network ? '' : ' (the run has no face mesh)'}.</p>
      )}
    </div>
  );
}
