import { bullBoard } from '@/lib/bull-board';
import { BULL_BOARD_PATH } from '@/lib/queues';
import { StoreUnavailableError, redisUnavailable, whenRedisReady } from '@/lib/store';

// bull-board reads live queue state on every request.
export const dynamic = 'force-dynamic';

/** An API call that takes longer is answered "cannot reach Redis" rather than left hanging. */
const API_TIMEOUT_MS = 5000;
const API_PATH = `${BULL_BOARD_PATH}/api/`;
const STATIC_PATH = `${BULL_BOARD_PATH}/static/`;

async function handle(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith(API_PATH))
    return withCaching(pathname, await bullBoard().fetch(request));
  try {
    await whenRedisReady();
    return withCaching(pathname, await withTimeout(bullBoard().fetch(request)));
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // bull-board's own error body, with the pages' message in words.
    return Response.json(
      { error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' }, message: error.message },
      { status: 503, headers: { 'cache-control': 'no-store', 'retry-after': '5' } },
    );
  }
}

/**
 * bull-board sends no Cache-Control: its HTML and JSON (job data, behind credentials) must not be
 * stored anywhere; its static files (hashed names, the same for every install) may be, privately.
 */
function withCaching(pathname: string, response: Response): Response {
  const copy = new Response(response.body, response);
  copy.headers.set(
    'cache-control',
    pathname.startsWith(STATIC_PATH) ? 'private, max-age=3600' : 'no-store',
  );
  return copy;
}

function withTimeout(response: Response | Promise<Response>): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(redisUnavailable()), API_TIMEOUT_MS);
  });
  return Promise.race([response, timeout]).finally(() => clearTimeout(timer));
}

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
