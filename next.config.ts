import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships wasm + data files and pg/argon2 are native or node-only: keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', '@node-rs/argon2', 'pino', 'pino-pretty'],
  poweredByHeader: false,
};

export default nextConfig;
