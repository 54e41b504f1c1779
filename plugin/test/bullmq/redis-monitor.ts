import { connect } from 'node:net';

/** One command as Redis received it. */
export interface MonitoredCommand {
  /** Lower-case command name first, then its arguments. */
  readonly args: string[];
  /** `ip:port` of the client that sent it (`lua` for commands run by a script). */
  readonly source: string;
}

/**
 * Watches the commands a Redis server receives (MONITOR) over a plain socket, keeping those
 * that `match`. Counting on the server side proves what clients really sent. A plain socket,
 * because ioredis's `monitor()` loses track of its replies under load ("Command queue state error").
 */
export async function monitorRedis(
  redisUrl: string,
  match: (command: MonitoredCommand) => boolean,
) {
  const { hostname, port } = new URL(redisUrl);
  const socket = connect(Number(port), hostname);
  const seen: MonitoredCommand[] = [];
  let buffer = '';
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\r\n');
    while (end !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\r\n');
      if (line === '+OK') ready();
      const command = parseLine(line);
      if (command && match(command)) seen.push(command);
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  return {
    seen,
    count: (predicate: (command: MonitoredCommand) => boolean) => seen.filter(predicate).length,
    stop: async () => {
      socket.destroy();
    },
  };
}

/** `+1700000000.123456 [0 127.0.0.1:5000] "hset" "key" "a \"b\""` → command. */
function parseLine(line: string): MonitoredCommand | null {
  const header = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!header) return null;
  const args: string[] = [];
  const text = line.slice(header[0].length);
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '"') continue;
    let value = '';
    for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
      if (text[i] !== '\\') {
        value += text[i];
        continue;
      }
      i += 1;
      const escaped = text[i];
      if (escaped === 'x') {
        value += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else
        value += escaped === 'n' ? '\n' : escaped === 'r' ? '\r' : escaped === 't' ? '\t' : escaped;
    }
    args.push(value);
  }
  if (args[0]) args[0] = args[0].toLowerCase();
  return { args, source: header[1] as string };
}
