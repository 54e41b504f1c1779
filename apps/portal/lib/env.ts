import { z } from 'zod';

/**
 * The portal's whole configuration, read from the environment once and validated here, so a
 * mistake stops the app at start with one readable message instead of failing on a request.
 *
 * | variable               | meaning                                                        | default                  |
 * |------------------------|----------------------------------------------------------------|--------------------------|
 * | `REDIS_URL`            | Redis holding the records and the demo's BullMQ queues         | `redis://127.0.0.1:6379` |
 * | `PROGRESSRUS_PREFIX`   | key prefix of the RedisStore                                   | `progressrus`            |
 * | `BULLMQ_PREFIX`        | BullMQ's key prefix                                            | `bull`                   |
 * | `PORTAL_SECRET`        | signs session cookies and progress tokens; 32 characters or more | a fixed development secret, outside production only |
 * | `PORTAL_TOKEN_TTL_MS`  | lifetime of a progress token; the page renews it before it ends | `300000` (5 min)         |
 * | `TRUST_PROXY`          | `1`: believe `X-Forwarded-Host`/`-Proto` (only behind one reverse proxy) | `0`              |
 */
export interface PortalEnv {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly bullPrefix: string;
  readonly secret: string;
  readonly tokenTtlMs: number;
  readonly production: boolean;
  /** Whether `X-Forwarded-Host` and `-Proto` say which origin the browser addressed. */
  readonly trustProxy: boolean;
}

/** Thrown when the environment is unusable; the message names every variable that is wrong. */
export class PortalEnvError extends Error {
  override readonly name = 'PortalEnvError';
}

/**
 * Lets `next dev` and the unit tests run without configuration. Never used in production: a
 * secret in the source signs nothing that matters.
 */
export const DEVELOPMENT_SECRET = 'progressrus-portal-development-secret-not-for-production';

const MIN_SECRET_LENGTH = 32;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const schema = z
  .object({
    NODE_ENV: z.string().optional(),
    REDIS_URL: optionalText.pipe(
      z
        .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
        .default('redis://127.0.0.1:6379'),
    ),
    PROGRESSRUS_PREFIX: optionalText.pipe(
      z
        .string()
        .regex(/^[^\s]+$/, 'must not contain spaces')
        .default('progressrus'),
    ),
    BULLMQ_PREFIX: optionalText.pipe(z.string().default('bull')),
    PORTAL_SECRET: optionalText.pipe(
      z
        .string()
        .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
        .optional(),
    ),
    PORTAL_TOKEN_TTL_MS: optionalText.pipe(
      z.coerce
        .number<string | undefined>()
        .int('must be a whole number of milliseconds')
        .min(1000, 'must be at least 1000 (1 s)')
        .max(86_400_000, 'must be at most 86400000 (1 day)')
        .default(300_000),
    ),
    TRUST_PROXY: optionalText.pipe(
      z
        .enum(['0', '1', 'false', 'true'], { error: 'must be 1 (or true) or 0 (or false)' })
        .default('0')
        .transform((value) => value === '1' || value === 'true'),
    ),
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production' && env.PORTAL_SECRET === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['PORTAL_SECRET'],
        message:
          'is required in production: it signs the session cookies and progress tokens (e.g. `openssl rand -base64 32`)',
      });
    }
  });

/**
 * Validates an environment and returns the portal's configuration.
 *
 * @example
 * const env = loadEnv({ NODE_ENV: 'production', PORTAL_SECRET: 'x'.repeat(32) });
 * env.tokenTtlMs; // 300000
 */
export function loadEnv(
  source: Readonly<Record<string, string | undefined>> = process.env,
): PortalEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(environment)'} ${issue.message}`,
    );
    throw new PortalEnvError(`The portal's environment is invalid:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  return {
    redisUrl: env.REDIS_URL,
    prefix: env.PROGRESSRUS_PREFIX,
    bullPrefix: env.BULLMQ_PREFIX,
    secret: env.PORTAL_SECRET ?? DEVELOPMENT_SECRET,
    tokenTtlMs: env.PORTAL_TOKEN_TTL_MS,
    production: env.NODE_ENV === 'production',
    trustProxy: env.TRUST_PROXY,
  };
}

let cached: PortalEnv | undefined;

/** The process's configuration, validated on first use. */
export function env(): PortalEnv {
  cached ??= loadEnv();
  return cached;
}
