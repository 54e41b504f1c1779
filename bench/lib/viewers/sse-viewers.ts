// Child process of the `viewers` bench: many raw SSE viewers (node http, no browser), each
// parsing its stream's `data:` lines and timing every `job` event against the record's
// `updatedAt` (the writer's clock; the same machine, so the same clock).
import { get, type IncomingMessage } from 'node:http';
import type { ChildReport, ParentCommand } from './messages.js';

const VIEWERS = Number(process.env.VIEWERS);
// Connections opened at once: enough to connect thousands in seconds, few enough for the backlog.
const OPENING = 50;
const CONNECT_TIMEOUT_MS = 60_000;
const UPDATED_AT = /"updatedAt":"([^"]+)"/;

let measuring = false;
let latencies: number[] = [];
let events = 0;
let lost = 0;
let unparsed = 0;
const responses: IncomingMessage[] = [];

process.on('message', (command: ParentCommand) => {
  if (command.type === 'connect') void connectAll(command.port, command.scopes);
  else if (command.type === 'start') {
    measuring = true;
    latencies = [];
    events = 0;
    unparsed = 0;
  } else if (command.type === 'report') {
    measuring = false;
    send({ type: 'latencies', latenciesMs: latencies, events, lost, unparsed });
  } else if (command.type === 'stop') {
    for (const response of responses) response.destroy();
    process.exit(0);
  }
});
send({ type: 'ready' });

async function connectAll(port: number, scopes: readonly string[]): Promise<void> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < VIEWERS) {
      const index = next++;
      try {
        await connect(port, scopes[index % scopes.length] as string);
      } catch {
        failed += 1;
      }
    }
  };
  const progress = setInterval(
    () => process.stderr.write(`  viewers ${process.pid}: ${next - failed} of ${VIEWERS} opened\n`),
    10_000,
  );
  await Promise.all(Array.from({ length: OPENING }, worker));
  clearInterval(progress);
  send({ type: 'connected', viewers: VIEWERS - failed, failed });
}

/** Resolves once the viewer's snapshot arrived; from then on it counts events. */
function connect(port: number, scope: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = get(
      {
        host: '127.0.0.1',
        port,
        path: `/events?scope=${encodeURIComponent(scope)}`,
        headers: { accept: 'text/event-stream' },
        agent: false,
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`status ${response.statusCode}`));
          return;
        }
        responses.push(response);
        response.setEncoding('utf8');
        let buffer = '';
        let snapshot = false;
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            onEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        });
        response.on('close', () => {
          if (snapshot) lost += 1;
          else reject(new Error('closed before its snapshot'));
        });
        function onEvent(block: string): void {
          if (block.includes('event: snapshot')) {
            snapshot = true;
            clearTimeout(timeout);
            resolve();
          } else if (measuring && block.includes('event: job')) {
            const receivedAt = Date.now();
            const match = UPDATED_AT.exec(block);
            if (match === null) unparsed += 1;
            else {
              events += 1;
              latencies.push(receivedAt - Date.parse(match[1] as string));
            }
          }
        }
      },
    );
    request.on('error', reject);
    // A viewer whose snapshot never comes counts as failed rather than stalling the run.
    const timeout = setTimeout(() => {
      reject(new Error('no snapshot within the connect timeout'));
      request.destroy();
    }, CONNECT_TIMEOUT_MS);
  });
}

function send(report: ChildReport): void {
  process.send?.(report);
}
