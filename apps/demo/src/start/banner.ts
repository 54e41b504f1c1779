export interface BannerFacts {
  readonly url: string;
  /** The portal: what users 1–7 see of their own jobs. */
  readonly portalUrl: string;
  readonly user: string;
  readonly password: string;
  /** Whether the credentials came from ADMIN_USER/ADMIN_PASSWORD rather than made for this run. */
  readonly credentialsFromEnv: boolean;
  readonly redisUrl: string;
  readonly privateRedis: boolean;
  readonly queues: readonly string[];
}

/** What `npm start` prints once everything runs: where to look, how to sign in, how to stop. */
export function banner(facts: BannerFacts): string {
  const redis = facts.privateRedis
    ? `${facts.redisUrl}  (private to this run, gone on exit)`
    : facts.redisUrl;
  return `
Progressrus demo is running.

  Dashboard  ${facts.url}
  Portal     ${facts.portalUrl}  (what users 1–7 see: sign in as any of them, no password)
  User       ${facts.user}
  Password   ${facts.password}${facts.credentialsFromEnv ? '  (from ADMIN_USER / ADMIN_PASSWORD)' : '  (made for this run)'}
  Queues     ${facts.url}/queues  (bull-board: ${facts.queues.join(', ')})
  Redis      ${redis}

  Users 1–7 get jobs in the queues ${facts.queues.join(', ')}; a new one arrives every few seconds.
  In another terminal:  REDIS_URL=${facts.redisUrl} node plugin/dist/cli/main.js watch user:3

Press Ctrl-C to stop.
`;
}
