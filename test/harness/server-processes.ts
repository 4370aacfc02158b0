// What the private Courier and Cyrus test servers share: free ports, waiting for a greeting, and stopping
// every process of one instance, found by a marker in its environment (they fork and re-parent).
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';

import { waitFor } from '../support/wait-for.js';

export const HOST = '127.0.0.1';
export const SERVERS_DIR = '/opt/superimap-test-servers';
export const INSTALL_HINT = 'run scripts/install-test-deps.sh (as root) to install Courier-IMAP and Cyrus IMAP';

/** Distinct free ports (held together, then released for the server). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** True once the port answers with a line starting with `prefix`. */
export function greets(port: number, prefix: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) {
        if (prefix === '220') socket.write('QUIT\r\n');
        done(data.startsWith(prefix));
      }
    });
  });
}

/** Pids of live processes whose environment holds `marker` (a `NAME=value` line). */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(marker) && (await isAlive(Number(entry)))) pids.push(Number(entry));
  }
  return pids;
}

/** SIGTERM, then SIGKILL after `graceMs`, to every process carrying the marker, until none is left. */
export async function stopMarkedProcesses(marker: string, graceMs = 3000): Promise<void> {
  for (const pid of await processesWithMarker(marker)) signal(pid, 'SIGTERM');
  const gone = await waitFor('processes to exit', async () => (await processesWithMarker(marker)).length === 0, {
    timeoutMs: graceMs,
    intervalMs: 25,
  })
    .then(() => true)
    .catch(() => false);
  if (gone) return;
  for (const pid of await processesWithMarker(marker)) signal(pid, 'SIGKILL');
  await waitFor('killed processes to go', async () => (await processesWithMarker(marker)).length === 0, {
    timeoutMs: 5000,
    intervalMs: 25,
  });
}

/** A zombie counts as gone: it has exited and only waits for its parent. */
async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = /\) (\S)/.exec(stat)?.[1];
  return state !== undefined && state !== 'Z';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Stops every running instance when jest's worker exits, so a failed test leaves no server behind. */
const stopOnExit = new Set<string>();
let exitHookInstalled = false;
export function killOnExit(marker: string): () => void {
  stopOnExit.add(marker);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      // Synchronous last resort: the instances' own stop() is the normal path.
      for (const mark of stopOnExit) killMarkedSync(mark);
    });
  }
  return () => stopOnExit.delete(marker);
}

function killMarkedSync(marker: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(marker)) signal(Number(entry), 'SIGKILL');
  }
}
