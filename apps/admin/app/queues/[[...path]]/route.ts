import { bullBoard } from '@/lib/bull-board';

// bull-board reads live queue state on every request.
export const dynamic = 'force-dynamic';

function handle(request: Request): Response | Promise<Response> {
  return bullBoard().fetch(request);
}

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
