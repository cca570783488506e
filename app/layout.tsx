import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './trpc';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Deeper', template: '%s · Deeper' },
  description: 'Information-theoretic interpretability of vision networks: controlled 3D-face stimuli, trained networks, and the analyses of Deeper Interpretability of Deep Networks.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
