import net from 'node:net';
import tls from 'node:tls';

import type { ServerAddress } from './server-outages.js';

const PROBE_TIMEOUT_MS = 5000;

/** One connection: true if the server greets with `* OK` or `* PREAUTH` within 5 s. Logs out at once. */
export function probeImapServer(server: ServerAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = server.tls
      ? tls.connect({ host: server.host, port: server.port, servername: server.host, rejectUnauthorized: false })
      : net.connect({ host: server.host, port: server.port });
    let greeting = '';
    let settled = false;
    const done = (answered: boolean): void => {
      if (settled) return;
      settled = true;
      resolve(answered);
      if (!answered) return void socket.destroy();
      socket.end('P1 LOGOUT\r\n');
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      greeting += chunk.toString('latin1');
      if (greeting.includes('\n')) done(/^\* (OK|PREAUTH)\b/i.test(greeting));
    });
  });
}
