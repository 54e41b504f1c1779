import { addressedRequest } from '@/lib/addressed-request';
import { env } from '@/lib/env';
import { progressApi } from '@/lib/progress-api';

// Live data: never cached or prerendered.
export const dynamic = 'force-dynamic';

/** Jobs and live events of the token's scope. */
export function GET(request: Request): Promise<Response> {
  return progressApi()(request);
}

/** `POST /job/cancel`: a user cancels one of their own jobs (the token carries the right). */
export function POST(request: Request): Promise<Response> {
  return progressApi()(addressedRequest(request, env().trustProxy));
}
