/**
 * Runs once when the server starts, before it takes requests: an invalid environment (in
 * production: no credentials, or a short password) stops the process with a readable message
 * instead of serving; the request guard then sees every request before Next.js does.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { checkEnvAtStart } = await import('./lib/check-env-at-start');
    checkEnvAtStart();
    const { installRequestGuard } = await import('./lib/request-guard');
    installRequestGuard();
  }
}
