import type { NextConfig } from 'next';

const config: NextConfig = {
  // Loaded by Node at run time, not bundled: they use native modules, dynamic requires, and
  // bull-board serves its UI files from its own package folder.
  serverExternalPackages: [
    'bullmq',
    'ioredis',
    'pg',
    '@bull-board/api',
    '@bull-board/hono',
    '@bull-board/ui',
  ],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
