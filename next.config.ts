import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships wasm + data files and pg/argon2 are native or node-only: keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', '@node-rs/argon2', 'pino', 'pino-pretty', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'],
  poweredByHeader: false,
  // Type checking is its own step (`npm run typecheck`, whole repository); the build only compiles,
  // so that `npm start` does not spend a minute re-checking types, nor fail on a worker's types.
  typescript: { ignoreBuildErrors: true },
  // CI and fresh clones never reuse .next/cache: writing Turbopack's build cache only costs time.
  experimental: { turbopackFileSystemCacheForBuild: false },
};

export default nextConfig;
