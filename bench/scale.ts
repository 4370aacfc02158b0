// `npm run scale`: 100,000 mailboxes on one host. Several imap-client processes (each under this machine's
// ~20,000 descriptor limit) against the fake IMAP server on several loopback addresses (one address pair has
// only ~28,000 ephemeral ports), one fake server process per address (a process cannot raise its own limit
// here): every mailbox in IDLE from a cold start, the RSS that costs, the time for
// the others to take over when one process is SIGKILLed, how long another then takes to stop on SIGTERM, and
// the CPU of assigning 1,000,000 users to 50 nodes.

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { FakeServerHandle } from '../stress/fake-server/fake-server-handle.js';
import { Installation } from '../stress/installation.js';
import { onInterrupt } from '../stress/interrupt.js';
import { parseEnvPairs } from '../stress/options.js';
import { sampleProcess } from '../stress/process-sampler.js';
import type { RoleInstance } from '../stress/role-fleet.js';
import { MAILBOX_PASSWORD, mailboxName, Testbed } from '../stress/testbed.js';
import { peakAcrossServers } from '../test/harness/fake-imap/handshake-timeline.js';
import { BENCH_ROLE_ENV } from './context.js';
import { waitUntil } from './measure.js';
import { type BenchRow, fmt, formatTable, verdict } from './table.js';

const USAGE = `usage: npm run scale -- [options]
  --mailboxes N      watched mailboxes (default 100000)
  --imap-clients N   imap-client processes (default 7: after one is killed, the rest stay under 20,000 each)
  --imap-hosts N     fake server processes on addresses 127.0.0.1..N (default 6)
  --assign-users N   users for the assignment timing (default 1000000), on --assign-nodes nodes (default 50)
  --timeout MIN      give up waiting for all in IDLE after MIN minutes, at start and after the kill (default 30)
  --env KEY=VALUE    extra environment for the imap-clients (repeatable)
  --out DIR          results folder (default bench-results)`;

const HANDSHAKE_CAP = 20; // IMAP_CONNECT_CONCURRENCY default, per process
const MAX_OPEN_FILES = 20_000; // `ulimit -Hn` on this machine: the imap-client's own limit
const SHUTDOWN_DEADLINE_MS = 9000; // a role's own deadline (libs/core/src/bootstrap/start-role.ts)

type AssignUsers = (nodes: { id: string; capacity: number }[], users: Iterable<string>) => Map<string, string[]>;

/** CPU of assigning `users` users to `nodes` nodes with the built product's own function, three times. */
async function assignmentCpu(users: number, nodes: number): Promise<number[]> {
  const modulePath = resolve('dist/libs/cluster/src/rendezvous-assignment.js');
  const { assignUsers } = (await import(pathToFileURL(modulePath).href)) as { assignUsers: AssignUsers };
  const ids = new Set(Array.from({ length: users }, () => randomUUID()));
  const cluster = Array.from({ length: nodes }, () => ({
    id: randomUUID(),
    capacity: Math.ceil((users * 1.5) / nodes),
  }));
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const before = process.cpuUsage();
    assignUsers(cluster, ids);
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / 1000);
  }
  return rounds;
}

/** One fake server process per address, each with the mailboxes whose provider points at it. */
class FakeServers {
  private constructor(readonly handles: FakeServerHandle[]) {}

  static async start(hosts: number, runId: string, usernames: string[]): Promise<FakeServers> {
    const handles = await Promise.all(
      Array.from({ length: hosts }, (_, i) =>
        FakeServerHandle.start({ listen: [{ host: `127.0.0.${i + 1}` }], idPrefix: `${runId}-${i}`, seed: 11 + i }),
      ),
    );
    // The testbed points user i at address i % hosts.
    await Promise.all(
      handles.map((handle, h) =>
        handle.addUsers(
          usernames.filter((_, i) => i % hosts === h),
          MAILBOX_PASSWORD,
        ),
      ),
    );
    return new FakeServers(handles);
  }

  get addresses(): Array<{ host: string; port: number }> {
    return this.handles.flatMap((handle) => handle.addresses);
  }

  async idling(): Promise<number> {
    return (await Promise.all(this.handles.map((handle) => handle.stats()))).reduce((sum, s) => sum + s.idling, 0);
  }

  /** Handshakes in progress at once across the servers: their changes merged in time order. */
  async peakHandshakes(): Promise<number> {
    return peakAcrossServers(await Promise.all(this.handles.map((handle) => handle.handshakeTimeline())));
  }

  async rssBytes(): Promise<number> {
    const samples = await Promise.all(this.handles.map((handle) => sampleProcess(handle.pid)));
    return samples.reduce((sum, sample) => sum + (sample?.rssBytes ?? NaN), 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.close().catch(() => undefined)));
  }
}

async function rssOf(instances: readonly RoleInstance[]): Promise<number[]> {
  return Promise.all(instances.map(async (instance) => (await sampleProcess(instance.pid))?.rssBytes ?? NaN));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      mailboxes: { type: 'string' },
      'imap-clients': { type: 'string' },
      'imap-hosts': { type: 'string' },
      'assign-users': { type: 'string' },
      'assign-nodes': { type: 'string' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const mailboxes = Number(values.mailboxes ?? 100_000);
  const clients = Number(values['imap-clients'] ?? 7);
  const hosts = Number(values['imap-hosts'] ?? 6);
  const assignUsersCount = Number(values['assign-users'] ?? 1_000_000);
  const assignNodes = Number(values['assign-nodes'] ?? 50);
  const timeoutMs = Number(values.timeout ?? 30) * 60_000;
  const extraEnv = parseEnvPairs(values.env ?? []);
  const outDir = join(values.out ?? 'bench-results', `scale-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(outDir, { recursive: true });
  const log = (line: string): void => console.log(line);
  const rows: BenchRow[] = [];

  log(`assigning ${assignUsersCount} users to ${assignNodes} nodes`);
  const rounds = await assignmentCpu(assignUsersCount, assignNodes);
  rows.push({
    section: 'assignment',
    figure: `${assignUsersCount} users → ${assignNodes} nodes, CPU (first / warm)`,
    superimap: `${fmt.ms(rounds[0])} / ${fmt.ms(Math.max(...rounds.slice(1)))}`,
    reference: '',
    target: '< 1 s',
    verdict: verdict(Math.max(...rounds) < 1000),
  });

  // Each process may hold its share after one of them is gone, and still stays under its descriptor limit.
  const capacity = Math.min(MAX_OPEN_FILES - 1000, Math.ceil((mailboxes / (clients - 1)) * 1.12));
  const runId = Installation.newRunId();
  const usernames = Array.from({ length: mailboxes }, (_, i) => mailboxName(i + 1));
  const servers = await FakeServers.start(hosts, runId, usernames);
  const bed = await Testbed.create({
    runId,
    mailboxes,
    mailServer: {
      addresses: servers.addresses,
      accounts: usernames.map((username) => ({ username, password: MAILBOX_PASSWORD })),
    },
    imapHosts: hosts,
    outDir,
    seed: 11,
    roleEnv: { ...BENCH_ROLE_ENV, MAX_USER_THREADS: String(capacity), ...extraEnv },
    seedUsersInDatabase: true,
    log,
  });
  onInterrupt(async () => {
    await bed.tearDown(false);
    await servers.close();
  });
  // Progress every 30 s, so a run that does not converge shows how far it got and whether it went backwards.
  let lastProgressAt = Date.now();
  const idling = async (): Promise<number> => {
    const count = await servers.idling();
    if (Date.now() - lastProgressAt >= 30_000) {
      lastProgressAt = Date.now();
      log(`  ${new Date().toISOString()}: ${count} of ${mailboxes} in IDLE`);
    }
    return count;
  };
  const sayWhyNotConverged = async (): Promise<void> => {
    log(`not converged: ${await servers.idling()} of ${mailboxes} in IDLE; users' last errors:`);
    for (const { error: lastError, users } of await bed.lastErrors(10)) log(`  ${users}\t${lastError}`);
  };
  const allInIdle = (what: string, intervalMs: number): Promise<void> =>
    waitUntil(what, async () => (await idling()) >= mailboxes, timeoutMs, intervalMs).catch(async (error: unknown) => {
      // What the run can still say; the timeout stays the error it ends with.
      await sayWhyNotConverged().catch((cause: unknown) => log(`  (could not read the last errors: ${String(cause)})`));
      throw error;
    });

  try {
    log(`cold start: ${clients} imap-clients, at most ${capacity} mailboxes each`);
    const started = Date.now();
    await bed.startRoles('imap-client', clients);
    await allInIdle(`${mailboxes} sessions in IDLE`, 500);
    const coldStartMs = Date.now() - started;
    const peak = await servers.peakHandshakes();
    const instances = bed.fleet.byRole('imap-client');
    const rss = await rssOf(instances);
    const totalRss = rss.reduce((sum, value) => sum + value, 0);
    const fakeRss = await servers.rssBytes();
    const fds = await Promise.all(instances.map(async (instance) => (await sampleProcess(instance.pid))?.fds ?? 0));

    const victim = instances[0];
    const victimMailboxes = Math.round(mailboxes / clients);
    log(`SIGKILL ${victim.name}`);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    await waitUntil('the fake servers to see the sessions go', async () => (await idling()) < mailboxes, 60_000, 50);
    await allInIdle(`${mailboxes} sessions in IDLE again`, 250);
    const takeoverMs = Date.now() - killedAt;
    const survivorsFds = await Promise.all(
      instances.slice(1).map(async (instance) => (await sampleProcess(instance.pid))?.fds ?? 0),
    );

    // A rolling restart stops one process at a time: it must log out, release its leases and leave the
    // cluster within the role's 9-s shutdown deadline, or the others wait for its leases to expire.
    const stopped = instances[1];
    const stoppedSessions = Math.round(mailboxes / (clients - 1));
    log(`SIGTERM ${stopped.name}`);
    const termAt = Date.now();
    await stopped.kill('SIGTERM');
    const stopMs = Date.now() - termAt;
    const exitCode = stopped.child.exitCode;

    const section = `${mailboxes} mailboxes`;
    rows.push(
      {
        section,
        figure: `cold start of ${clients} imap-clients → all in IDLE`,
        superimap: fmt.s(coldStartMs),
        reference: '',
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'handshakes in flight at the servers, peak',
        superimap: String(peak),
        reference: '',
        target: `≤ ${clients * HANDSHAKE_CAP} (${HANDSHAKE_CAP} per process)`,
        verdict: verdict(peak <= clients * HANDSHAKE_CAP),
      },
      {
        section,
        figure: 'imap-client RSS, total / per mailbox',
        superimap: `${fmt.mib(totalRss)} / ${fmt.kib(totalRss / mailboxes)}`,
        reference: `fake servers ${fmt.mib(fakeRss)}`,
        target: '',
        verdict: '',
      },
      {
        section,
        figure: 'descriptors per imap-client, most (before / after the kill)',
        superimap: `${Math.max(...fds)} / ${Math.max(...survivorsFds)}`,
        reference: '',
        target: `< ${MAX_OPEN_FILES}`,
        verdict: verdict(Math.max(...fds, ...survivorsFds) < MAX_OPEN_FILES),
      },
      {
        section,
        figure: `SIGKILL of one (~${victimMailboxes} mailboxes) → all in IDLE again`,
        superimap: fmt.s(takeoverMs),
        reference: '',
        target: '',
        verdict: '',
      },
      {
        section,
        figure: `then SIGTERM of another (~${stoppedSessions} sessions) → exited (code)`,
        superimap: `${fmt.s(stopMs)} (${exitCode})`,
        reference: '',
        target: `exit 0 within ${SHUTDOWN_DEADLINE_MS / 1000} s`,
        verdict: verdict(exitCode === 0 && stopMs <= SHUTDOWN_DEADLINE_MS),
      },
    );
  } finally {
    await bed.tearDown(false);
    await servers.close();
  }
  const table = formatTable(rows);
  console.log(`\n${table}`);
  await writeFile(join(outDir, 'table.md'), `${table}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
