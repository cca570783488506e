import { linkState, linkStateMessage, sessionByToken } from '@/server/humans/sessions';
import { getDb } from '@/server/db/client';
import { ParticipantTask } from '@/app/components/humans/ParticipantTask';
import '@/app/components/humans/humans.css';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Face study', robots: { index: false } };

/**
 * A human session's participant page (no account): the team's consent text, then the task
 * (app/components/humans/ParticipantTask.tsx). A link that is unknown, withdrawn, not yet open or
 * closed shows a page that says so (its API answers 410).
 */
export default async function HumanSessionPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const s = await sessionByToken(getDb(), token);
  const state = linkState(s);
  if (state !== 'open') {
    return (
      <main className="hs-page">
        <section className="hs-card" role="alert" data-link-state={state}>
          <h1>{state === 'closed' ? 'This study has closed' : state === 'not-yet-open' ? 'This study is not open yet' : 'This study is not available'}</h1>
          <p>{linkStateMessage(state, s)}</p>
        </section>
      </main>
    );
  }
  return (
    <main className="hs-page">
      <ParticipantTask token={token} title={s!.title} consent={s!.consentText} timeLimitMs={s!.settings.timeLimitMs} />
    </main>
  );
}
