'use client';

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorInfo, formatDate, useTRPC } from '@/app/trpc';
import type { HumanSummary } from '@/workers/contract';
import { LineChart, type ChartSeries } from '@/app/components/charts/LineChart';
import { downloadBlob } from '@/app/components/viewer/exports';
import type { MapSource } from '@/app/components/viewer/MapPanel';
import { HumanMaps } from './HumanMaps';
import './humans.css';

/**
 * Human observers on a run's dashboard (issue 15): create a participant link on the run's stored
 * stimuli, follow how many took part, analyse their responses with the human analyses (curves per
 * participant and pooled with bootstrap intervals; attention-failed participants flagged and left
 * out of the pooled statistics, kept in the export), people's reverse-correlation maps beside the
 * network's (HumanMaps.tsx), and download the tidy CSV with its dictionary.
 */
const DEFAULT_CONSENT =
  'You are invited to take part in a short study of face recognition. You will learn a few faces and then say which face you see in new images, and how sure you are. ' +
  'It takes about 10 minutes. Taking part is voluntary; you may stop at any time by closing the page. ' +
  'We store your answers and response times under a random participant code; no name, e-mail, address or other personal data is asked or stored. ' +
  'The anonymous answers may be published for research.';

const isoLocal = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function HumanSessionsPanel({ runId, canEdit, network }: { runId: string; canEdit: boolean; network?: MapSource }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.humans.list.queryOptions({ runId }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.humans.list.queryKey({ runId }) });
  const create = useMutation(trpc.humans.create.mutationOptions({ onSuccess: refresh }));
  const [title, setTitle] = useState('Which face is it?');
  const [consent, setConsent] = useState(DEFAULT_CONSENT);
  const [opens, setOpens] = useState(() => isoLocal(new Date()));
  const [closes, setCloses] = useState(() => isoLocal(new Date(Date.now() + 14 * 86_400_000)));
  const [identities, setIdentities] = useState(3);
  const [timeLimitS, setTimeLimitS] = useState(10);
  const [maxTrials, setMaxTrials] = useState(60);
  const [checks, setChecks] = useState(3);
  const origin = typeof window === 'undefined' ? '' : window.location.origin;

  return (
    <div className="stack-tight hs-panel">
      <p className="small muted">
        People do the network&apos;s task on this run&apos;s stored stimuli: they learn a few identities, then name them across poses and under the stored shape-only and
        texture-only changes, then answer &ldquo;Is this face N?&rdquo; on the network&apos;s own reverse-correlation noise trials, with a confidence rating, a time limit
        and attention checks. Participants need no account and give no personal data.
      </p>
      {list.error && <p className="alert alert-error">{errorInfo(list.error).message}</p>}
      {(list.data ?? []).map((s) => (
        <SessionCard key={s.id} runId={runId} canEdit={canEdit} session={s} link={`${origin}/h/${s.token}`} onChange={refresh} network={network} />
      ))}
      {canEdit && (
        <details>
          <summary>New participant link</summary>
          <form
            className="stack-tight"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate({
                runId,
                title,
                consentText: consent,
                opensAt: new Date(opens),
                closesAt: new Date(closes),
                settings: { identities, timeLimitMs: Math.round(timeLimitS * 1000), maxTrials, attentionChecks: checks },
              });
            }}
          >
            <label htmlFor="hs-title-in">Title</label>
            <input id="hs-title-in" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
            <label htmlFor="hs-consent-in">Consent text (shown before the task)</label>
            <textarea id="hs-consent-in" rows={6} value={consent} onChange={(e) => setConsent(e.target.value)} />
            <div className="inline-form">
              <label htmlFor="hs-opens">Opens</label>
              <input id="hs-opens" type="datetime-local" value={opens} onChange={(e) => setOpens(e.target.value)} />
              <label htmlFor="hs-closes">Closes</label>
              <input id="hs-closes" type="datetime-local" value={closes} onChange={(e) => setCloses(e.target.value)} />
            </div>
            <div className="inline-form">
              <label htmlFor="hs-ids">Identities</label>
              <input id="hs-ids" type="number" min={2} max={9} value={identities} onChange={(e) => setIdentities(Number(e.target.value))} />
              <label htmlFor="hs-limit">Seconds per trial</label>
              <input id="hs-limit" type="number" min={1} max={60} value={timeLimitS} onChange={(e) => setTimeLimitS(Number(e.target.value))} />
              <label htmlFor="hs-max">Trials (cap)</label>
              <input id="hs-max" type="number" min={4} max={400} value={maxTrials} onChange={(e) => setMaxTrials(Number(e.target.value))} />
              <label htmlFor="hs-checks">Attention checks</label>
              <input id="hs-checks" type="number" min={0} max={50} value={checks} onChange={(e) => setChecks(Number(e.target.value))} />
            </div>
            <p>
              <button type="submit" disabled={create.isPending}>Create link</button>
            </p>
            {create.error && <p className="alert alert-error">{errorInfo(create.error).message}</p>}
          </form>
        </details>
      )}
    </div>
  );
}

interface SessionListItem {
  id: string;
  token: string;
  title: string;
  opensAt: string | Date;
  closesAt: string | Date;
  published: boolean;
  state: string;
  participants: number;
  responses: number;
  settings: { identities: number };
}

function SessionCard({ runId, canEdit, session: s, link, onChange, network }: { runId: string; canEdit: boolean; session: SessionListItem; link: string; onChange: () => void; network?: MapSource }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const analysis = useQuery(trpc.humans.analysis.queryOptions({ runId, sessionId: s.id }));
  const reload = () => {
    onChange();
    void qc.invalidateQueries({ queryKey: trpc.humans.analysis.queryKey({ runId, sessionId: s.id }) });
  };
  const analyse = useMutation(trpc.humans.analyse.mutationOptions({ onSuccess: reload }));
  const publish = useMutation(trpc.humans.setPublished.mutationOptions({ onSuccess: onChange }));
  const exportCsv = useMutation({
    mutationFn: () => qc.fetchQuery(trpc.humans.exportCsv.queryOptions({ runId, sessionId: s.id }, { staleTime: 0 })),
    onSuccess: (r) => {
      downloadBlob(r.csv, r.filename, 'text/csv');
      downloadBlob(r.dictionary, r.filename.replace(/\.csv$/, '.md'), 'text/markdown');
    },
  });
  return (
    <section className="card stack-tight" data-testid="human-session" aria-label={`Human session ${s.title}`}>
      <h3>{s.title}</h3>
      <p className="small">
        Link: <a href={link} data-testid="human-link">{link}</a> · <strong data-testid="human-state">{s.state}</strong> · {formatDate(s.opensAt)} – {formatDate(s.closesAt)} ·{' '}
        <span data-testid="human-counts">{s.participants} participants, {s.responses} responses</span>
      </p>
      {canEdit && (
        <p className="inline-form">
          <button type="button" onClick={() => analyse.mutate({ runId, sessionId: s.id })} disabled={analyse.isPending || s.responses === 0}>
            {analyse.isPending ? 'Analysing…' : 'Analyse responses'}
          </button>
          <button type="button" onClick={() => publish.mutate({ runId, sessionId: s.id, published: !s.published })}>{s.published ? 'Withdraw link' : 'Reopen link'}</button>
        </p>
      )}
      {analyse.error && <p className="alert alert-error">{errorInfo(analyse.error).message}</p>}
      {analysis.data && (
        <>
          <HumanResults summary={analysis.data.summary as HumanSummary} identities={s.settings.identities} />
          {(analysis.data.summary as HumanSummary).reverseCorrelation && (
            <HumanMaps sessionId={s.id} rc={(analysis.data.summary as HumanSummary).reverseCorrelation!} arrays={analysis.data.rc?.arrays ?? {}} spec={analysis.data.rc?.spec ?? null} network={network} />
          )}
          <p className="small muted">
            {analysis.data.rows} trials analysed {formatDate(analysis.data.analysedAt)}.{' '}
            <button type="button" onClick={() => exportCsv.mutate()}>Download CSV + data dictionary</button>
          </p>
        </>
      )}
    </section>
  );
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${Math.round(100 * x)} %`);

export function HumanResults({ summary, identities }: { summary: HumanSummary; identities: number }) {
  const g = summary.generalisation;
  const beside = new Map((summary.curvesBesideNetwork ?? []).map((c) => [c.manipulation, c]));
  return (
    <div className="stack-tight" data-testid="human-results">
      <table aria-label="Attention checks">
        <thead>
          <tr><th>Participant</th><th>Checks passed</th><th>Pooled</th></tr>
        </thead>
        <tbody>
          {summary.attention.map((a) => (
            <tr key={a.participant} className={a.flagged ? 'hs-flagged' : undefined} data-testid="human-participant" data-flagged={a.flagged}>
              <td>{a.participant}</td>
              <td>{a.passed}/{a.checks} ({pct(a.passRate)})</td>
              <td>{a.flagged ? 'flagged: excluded (failed attention checks)' : 'included'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {g ? (
        <div className="hs-beside">
          {g.pooled.map((c) => {
            const net = beside.get(c.manipulation);
            const series: ChartSeries[] = [
              { name: `humans, pooled (n = ${g.included.length})`, x: c.levels, y: c.mean.map((v) => v ?? NaN), source: 'human' },
              { name: `${Math.round(g.bootstrap.level * 100)} % interval, lower`, x: c.levels, y: c.lower.map((v) => v ?? NaN), source: 'human' },
              { name: `${Math.round(g.bootstrap.level * 100)} % interval, upper`, x: c.levels, y: c.upper.map((v) => v ?? NaN), source: 'human' },
              ...(net ? [{ name: 'network top-1', x: net.levels, y: net.networkAccuracy, source: 'network' as const }] : []),
            ];
            return (
              <figure key={c.manipulation} data-testid="human-curve" data-manipulation={c.manipulation}>
                <LineChart title={`${c.manipulation}: proportion correct`} xLabel="level (fraction of the identity deviation)" yLabel="P(correct)" series={series} yDomain={[0, 1]} reference={{ y: 1 / identities, label: 'chance' }} width={380} height={260} />
                <figcaption className="small muted">
                  Pooled over {g.included.length} included participant(s); AUC {c.auc?.toFixed(2) ?? '–'} [{c.aucInterval[0]?.toFixed(2) ?? '–'}, {c.aucInterval[1]?.toFixed(2) ?? '–'}].
                  {net ? ` Beside the network: Pearson r = ${net.pearson?.toFixed(2) ?? '–'}, RMS difference ${net.rmse?.toFixed(2) ?? '–'}, network inside the human interval at ${net.networkInsideHumanInterval}/${net.levels.length} levels.` : ' No network generalisation result in this run to compare with.'}
                </figcaption>
              </figure>
            );
          })}
        </div>
      ) : (
        <p className="small muted">No generalisation trials among the responses (the run stores no graded stimuli).</p>
      )}
    </div>
  );
}
