import type { NextConfig } from 'next';
import { BASE_SECURITY_HEADERS } from './lib/security-headers';

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
  // Every response, the build's static files included (they skip proxy.ts, which adds the rest).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: Object.entries(BASE_SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ];
  },
  reactStrictMode: true,
};

export default config;
