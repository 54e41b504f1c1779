import type { NextConfig } from 'next';

const config: NextConfig = {
  // Loaded by Node at run time, not bundled: they open sockets and load Lua scripts from disk.
  serverExternalPackages: ['bullmq', 'ioredis'],
  // The demo's job plan is TypeScript source in a workspace package: the portal adds jobs of
  // exactly the shape the demo's workers run.
  transpilePackages: ['@progressrus/demo'],
  // `forbidden()`: a scope that is not the signed-in user's answers 403 with app/forbidden.tsx.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
