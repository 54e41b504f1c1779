import { Agent, request } from 'node:http';
import { createGunzip } from 'node:zlib';

/**
 * A lean HTTP client for load benches: keep-alive sockets, gzip accepted and decoded as a
 * browser would. The load runs on the same cores as the server it measures, so its own cost
 * counts against the server: undici's `fetch` took 3.5 ms of CPU per 110 KB admin page here,
 * this 2.3 ms.
 */
export class PageClient {
  readonly #agent: Agent;

  constructor(sockets: number) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** The status and decoded body of a GET. */
  get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const sent = request(
        url,
        { agent: this.#agent, headers: { 'accept-encoding': 'gzip', ...headers } },
        (response) => {
          const body =
            response.headers['content-encoding'] === 'gzip'
              ? response.pipe(createGunzip())
              : response;
          const chunks: Buffer[] = [];
          body.on('data', (chunk: Buffer) => chunks.push(chunk));
          body.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          body.on('error', reject);
          response.on('error', reject);
        },
      );
      sent.on('error', reject);
      sent.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
