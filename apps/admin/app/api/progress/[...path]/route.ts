import { progressApi } from '@/lib/progress-api';

// Live data: never cached or prerendered.
export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return progressApi()(request);
}

/** Cancel and retry (`/job/cancel`, `/job/retry`), checked for Origin by the handler. */
export function POST(request: Request): Promise<Response> {
  return progressApi()(request);
}
