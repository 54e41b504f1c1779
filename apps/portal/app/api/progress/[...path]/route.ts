import { progressApi } from '@/lib/progress-api';

// Live data: never cached or prerendered.
export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return progressApi()(request);
}
