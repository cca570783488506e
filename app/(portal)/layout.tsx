import type { ReactNode } from 'react';
import { PortalHeader } from './PortalHeader';

/** Signed-in pages. proxy.ts sends visitors without a session cookie to /sign-in first. */
export default function PortalLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PortalHeader />
      <main id="main" className="portal-main">
        {children}
      </main>
    </>
  );
}
