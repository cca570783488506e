import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships wasm + data files and pg/argon2 are native or node-only: keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', '@node-rs/argon2', 'pino', 'pino-pretty', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'],
  poweredByHeader: false,
  // The build type-checks (no ignoreBuildErrors): a type error fails `next build` as it fails
  // `npm test`, which runs `tsc --noEmit` over the whole repository first.
  // Pages and API responses get their security headers from proxy.ts; static files get nosniff here.
  async headers() {
    return [{ source: '/_next/static/:path*', headers: [{ key: 'X-Content-Type-Options', value: 'nosniff' }] }];
  },
  // CI and fresh clones never reuse .next/cache: writing Turbopack's build cache only costs time.
  experimental: { turbopackFileSystemCacheForBuild: false },
};

export default nextConfig;
