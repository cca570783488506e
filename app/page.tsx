import Link from 'next/link';
import styles from './landing.module.css';

export default function Landing() {
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          Deeper
        </Link>
        <nav aria-label="Account">
          <Link href="/sign-in">Sign in</Link>
          <Link href="/sign-up" className="button">
            Create account
          </Link>
        </nav>
      </header>
      <main id="main" className={styles.main}>
        <section className={styles.hero}>
          <h1>What does a face network actually use?</h1>
          <p className={styles.lead}>
            Deeper is a platform for information-theoretic interpretability of vision networks. Design an experiment,
            generate controlled 3D-face stimuli, train or import a face-identity network, and measure — in bits — which
            shape and texture features its decisions and hidden layers depend on.
          </p>
          <p>
            <Link href="/sign-up" className="button button-large">
              Start an experiment
            </Link>{' '}
            <Link href="/sign-in" className={styles.secondary}>
              I have an account
            </Link>
          </p>
        </section>
        <figure className={styles.picture}>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/landing-maps.png" width={1033} height={260} alt="Four information maps on the 3D face: where the network's decision depends on shape and texture, in bits, coloured from yellow to red." />
          <figcaption>
            Reverse-correlation maps from the demo run: the information (bits) between each vertex&apos;s shape or texture and the
            network&apos;s decision, on the face.
          </figcaption>
        </figure>
        <section aria-labelledby="how" className={styles.steps}>
          <h2 id="how">How it works</h2>
          <ol>
            <li>
              <h3>Generate</h3>
              <p>A generative 3D face model renders identities under controlled pose, lighting and scale.</p>
            </li>
            <li>
              <h3>Train</h3>
              <p>A ResNet-10 learns to recognise the identities, on your machine or on GPU workers.</p>
            </li>
            <li>
              <h3>Analyse</h3>
              <p>
                Generalisation tests, reverse correlation and hidden-layer analyses with Gaussian-copula mutual
                information, following Xu et al. (2018), <cite>Deeper Interpretability of Deep Networks</cite>.
              </p>
            </li>
            <li>
              <h3>Share</h3>
              <p>Explore information maps on the 3D face with your team, then publish a read-only dashboard.</p>
            </li>
          </ol>
        </section>
      </main>
    </>
  );
}
