import Link from 'next/link';
import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          Deeper
        </Link>
      </header>
      <main id="main" className="auth-main">
        {children}
      </main>
    </>
  );
}
