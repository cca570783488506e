'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * The participant's side of a human session (server/humans/participant.ts is its API). No account:
 * after consent the server issues a pseudonymous code and a secret, kept in an httpOnly cookie and
 * in localStorage, so a reload resumes at the next unanswered trial. Keyboard: digits choose the
 * face (Y or N on "Is this face N?" trials), then 1–4 the confidence, Enter confirms; the buttons
 * do the same by touch or click. A yes is sent as the asked number, a no as 0.
 */
interface TrialView {
  index: number;
  phase: 'learning' | 'test';
  shownLabel: number | null;
  attentionCheck: boolean;
  /** Reverse-correlation trials: "Is this face <ask>?" answered yes (Y) or no (N); null otherwise. */
  ask: number | null;
}
type ApiState =
  | { state: 'consent'; title: string; consent: string; timeLimitMs: number }
  | { state: 'open'; title: string; participant: string; total: number; answered: number; timeLimitMs: number; identities: number[]; trial: TrialView | null; secret?: string };

const CONFIDENCE = ['1 guess', '2 unsure', '3 fairly sure', '4 sure'];

export function ParticipantTask({ token, title, consent, timeLimitMs }: { token: string; title: string; consent: string; timeLimitMs: number }) {
  const storageKey = `deeper-human-${token}`;
  const api = `/api/h/${token}`;
  const [state, setState] = useState<ApiState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [agreed, setAgreed] = useState(false);
  const [choice, setChoice] = useState<number | null>(null);
  const [confidence, setConfidence] = useState<number | null>(null);
  const [image, setImage] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const onset = useRef<number | null>(null);
  const busy = useRef(false);

  const headers = useCallback((): Record<string, string> => {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as { secret?: string } | null;
      return saved?.secret ? { 'x-participant': saved.secret } : {};
    } catch {
      return {};
    }
  }, [storageKey]);

  const accept = useCallback(
    async (res: Response) => {
      const body = (await res.json()) as ApiState & { error?: string };
      if (!res.ok) {
        setError(body.error ?? `HTTP ${res.status}`);
        return;
      }
      if (body.state === 'open' && body.secret) localStorage.setItem(storageKey, JSON.stringify({ code: body.participant, secret: body.secret }));
      setError(null);
      setState(body);
    },
    [storageKey],
  );

  useEffect(() => {
    fetch(api, { headers: headers(), cache: 'no-store' }).then(accept, (e: unknown) => setError(String(e)));
  }, [api, headers, accept]);

  const trial = state?.state === 'open' ? state.trial : null;

  // Load the stimulus of the current trial; the time limit runs from its onset.
  useEffect(() => {
    setChoice(null);
    setConfidence(null);
    setImage(null);
    setElapsed(0);
    onset.current = null;
    if (!trial) return;
    let url: string | null = null;
    let cancelled = false;
    fetch(`${api}/image/${trial.index}`, { headers: headers(), cache: 'no-store' })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`image: HTTP ${r.status}`))))
      .then((b) => {
        if (cancelled) return;
        url = URL.createObjectURL(b);
        setImage(url);
      })
      .catch((e: unknown) => setError(String(e)));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, headers, trial]);

  const submit = useCallback(
    async (response: number, conf: number | null) => {
      if (!trial || busy.current) return;
      busy.current = true;
      const rtMs = response === -1 || onset.current === null ? null : Math.round(performance.now() - onset.current);
      try {
        const res = await fetch(api, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers() },
          body: JSON.stringify({ action: 'respond', trial: trial.index, response, confidence: response === -1 ? null : conf, rtMs }),
        });
        await accept(res);
      } finally {
        busy.current = false;
      }
    },
    [api, headers, accept, trial],
  );

  // The per-trial clock: no response by the limit stores response −1.
  useEffect(() => {
    if (!trial || !image) return;
    const id = setInterval(() => {
      if (onset.current === null) return;
      const t = performance.now() - onset.current;
      setElapsed(t);
      if (t >= (state?.state === 'open' ? state.timeLimitMs : timeLimitMs)) {
        clearInterval(id);
        void submit(-1, null);
      }
    }, 100);
    return () => clearInterval(id);
  }, [trial, image, submit, state, timeLimitMs]);

  useEffect(() => {
    if (!trial || state?.state !== 'open') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const d = Number(e.key);
      const ask = trial.ask;
      if (ask !== null && choice === null && /^[yn]$/i.test(e.key)) {
        e.preventDefault();
        setChoice(e.key.toLowerCase() === 'y' ? ask : 0);
      } else if (/^[1-9]$/.test(e.key)) {
        e.preventDefault();
        if (choice === null) {
          if (ask === null && state.identities.includes(d)) setChoice(d);
        } else if (d >= 1 && d <= 4) setConfidence(d);
      } else if (e.key === 'Enter' && choice !== null && confidence !== null) {
        e.preventDefault();
        void submit(choice, confidence);
      } else if (e.key === 'Backspace' || e.key === 'Escape') {
        setChoice(null);
        setConfidence(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [trial, state, choice, confidence, submit]);

  async function join(e: React.FormEvent) {
    e.preventDefault();
    const res = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'join', consent: true }) });
    await accept(res);
  }

  if (error && !state) return <section className="hs-card" role="alert"><h1>{title}</h1><p className="hs-error">{error}</p></section>;
  if (!state) return <section className="hs-card"><h1>{title}</h1><p className="hs-muted">Loading…</p></section>;

  if (state.state === 'consent')
    return (
      <section className="hs-card" aria-labelledby="hs-title">
        <h1 id="hs-title">{title}</h1>
        <h2>Consent</h2>
        <div className="hs-consent" data-testid="consent-text">{consent}</div>
        <p className="hs-muted">
          You will get a participant code. No name, e-mail or other personal data is asked or stored. Each image is shown for at most {Math.round(state.timeLimitMs / 1000)} s.
        </p>
        <form onSubmit={join}>
          <label>
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} autoFocus /> I have read the text above and agree to take part.
          </label>
          <p>
            <button type="submit" className="hs-primary" disabled={!agreed}>Start</button>
          </p>
        </form>
        {error && <p className="hs-error" role="alert">{error}</p>}
      </section>
    );

  if (!trial)
    return (
      <section className="hs-card" data-testid="hs-done">
        <h1>Thank you</h1>
        <p>You answered all {state.total} trials. Your participant code is <strong data-testid="hs-code">{state.participant}</strong>; quote it if you contact the team.</p>
      </section>
    );

  const limit = state.timeLimitMs;
  const learning = trial.shownLabel !== null;
  const ask = trial.ask ?? null;
  return (
    <section className="hs-card hs-stage" aria-live="polite" data-testid="hs-trial" data-trial={trial.index}>
      <p className="hs-muted">
        Participant <strong data-testid="hs-code">{state.participant}</strong> · trial {state.answered + 1} of {state.total}
      </p>
      {learning ? (
        <p className="hs-label" data-testid="hs-label">{trial.attentionCheck ? `Check: this is face ${trial.shownLabel}. Choose ${trial.shownLabel}.` : `Learn: this is face ${trial.shownLabel}`}</p>
      ) : ask !== null ? (
        <p className="hs-label" data-testid="hs-ask" data-ask={ask}>Is this face {ask}?</p>
      ) : (
        <p className="hs-label">Which face is this?</p>
      )}
      {image ? (
        // eslint-disable-next-line @next/next/no-img-element
        <img className="hs-stimulus" src={image} alt={learning ? `face ${trial.shownLabel}` : 'a face to identify'} onLoad={() => (onset.current = performance.now())} />
      ) : (
        <div className="hs-stimulus" aria-hidden />
      )}
      <div className="hs-timer" role="progressbar" aria-label="time left" aria-valuemin={0} aria-valuemax={limit} aria-valuenow={Math.max(0, limit - elapsed)}>
        <div style={{ width: `${Math.max(0, 100 * (1 - elapsed / limit))}%` }} />
      </div>
      {ask !== null ? (
        <div>
          <p className="hs-muted">Face {ask}? (keys Y / N):</p>
          <div className="hs-choices" role="group" aria-label={`is this face ${ask}`}>
            <button type="button" aria-pressed={choice === ask} onClick={() => setChoice(ask)}>Yes (Y)</button>
            <button type="button" aria-pressed={choice === 0} onClick={() => setChoice(0)}>No (N)</button>
          </div>
        </div>
      ) : (
        <div>
          <p className="hs-muted">Face (keys {state.identities[0]}–{state.identities[state.identities.length - 1]}):</p>
          <div className="hs-choices" role="group" aria-label="face">
            {state.identities.map((d) => (
              <button key={d} type="button" aria-pressed={choice === d} onClick={() => setChoice(d)}>{d}</button>
            ))}
          </div>
        </div>
      )}
      <div>
        <p className="hs-muted">How sure (keys 1–4, after the {ask !== null ? 'answer' : 'face'}):</p>
        <div className="hs-choices" role="group" aria-label="confidence">
          {CONFIDENCE.map((c, i) => (
            <button key={c} type="button" aria-pressed={confidence === i + 1} disabled={choice === null} onClick={() => setConfidence(i + 1)}>{c}</button>
          ))}
        </div>
      </div>
      <button type="button" className="hs-primary" disabled={choice === null || confidence === null} onClick={() => choice !== null && confidence !== null && void submit(choice, confidence)}>
        Confirm (Enter)
      </button>
      {error && <p className="hs-error" role="alert">{error}</p>}
    </section>
  );
}
