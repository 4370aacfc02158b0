// `npm run scale`: 100,000 mailboxes on one host. Several imap-client processes (each under this machine's
// ~20,000 descriptor limit) against the fake IMAP server on several loopback addresses (one address pair has
// only ~28,000 ephemeral ports): every mailbox in IDLE from a cold start, the RSS that costs, the time for
// the others to take over when one process is SIGKILLed, and the CPU of assigning 1,000,000 users to 50 nodes.

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { Installation } from '../stress/installation.js';
import { onInterrupt } from '../stress/interrupt.js';
import { sampleProcess } from '../stress/process-sampler.js';
import type { RoleInstance } from '../stress/role-fleet.js';
import { Testbed } from '../stress/testbed.js';
import { BENCH_ROLE_ENV } from './context.js';
import { waitUntil } from './measure.js';
import { type BenchRow, fmt, formatTable, verdict } from './table.js';

const USAGE = `usage: npm run scale -- [options]
  --mailboxes N      watched mailboxes (default 100000)
  --imap-clients N   imap-client processes (default 7: after one is killed, the rest stay under 20,000 each)
  --imap-hosts N     fake server addresses 127.0.0.1..N (default 6)
  --assign-users N   users for the assignment timing (default 1000000), on --assign-nodes nodes (default 50)
  --out DIR          results folder (default bench-results)`;

const HANDSHAKE_CAP = 20; // IMAP_CONNECT_CONCURRENCY default, per process
const MAX_OPEN_FILES = 20_000; // `ulimit -Hn` on this machine: the imap-client's own limit

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

async function idling(bed: Testbed): Promise<number> {
  return (await bed.fakeServer.stats()).idling;
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
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const mailboxes = Number(values.mailboxes ?? 100_000);
  const clients = Number(values['imap-clients'] ?? 7);
  const hosts = Number(values['imap-hosts'] ?? 6);
  const assignUsersCount = Number(values['assign-users'] ?? 1_000_000);
  const assignNodes = Number(values['assign-nodes'] ?? 50);
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
  const bed = await Testbed.create({
    runId: Installation.newRunId(),
    mailboxes,
    imapHosts: hosts,
    outDir,
    seed: 11,
    roleEnv: { ...BENCH_ROLE_ENV, MAX_USER_THREADS: String(capacity) },
    fakeServerMaxOpenFiles: mailboxes * 2 + 10_000,
    seedUsersInDatabase: true,
    log,
  });
  onInterrupt(() => bed.tearDown(false));
  try {
    await bed.fakeServer.resetPeakHandshakes();
    log(`cold start: ${clients} imap-clients, at most ${capacity} mailboxes each`);
    const started = Date.now();
    await bed.startRoles('imap-client', clients);
    await waitUntil(`${mailboxes} sessions in IDLE`, async () => (await idling(bed)) >= mailboxes, 30 * 60_000, 500);
    const coldStartMs = Date.now() - started;
    const peak = (await bed.fakeServer.stats()).handshakes.peak;
    const instances = bed.fleet.byRole('imap-client');
    const rss = await rssOf(instances);
    const totalRss = rss.reduce((sum, value) => sum + value, 0);
    const fakeRss = (await sampleProcess(bed.fakeServer.pid))?.rssBytes ?? NaN;
    const fds = await Promise.all(instances.map(async (instance) => (await sampleProcess(instance.pid))?.fds ?? 0));

    const victim = instances[0];
    const victimMailboxes = Math.round(mailboxes / clients);
    log(`SIGKILL ${victim.name}`);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    await waitUntil('the fake server to see the sessions go', async () => (await idling(bed)) < mailboxes, 60_000, 50);
    await waitUntil(
      `${mailboxes} sessions in IDLE again`,
      async () => (await idling(bed)) >= mailboxes,
      30 * 60_000,
      250,
    );
    const takeoverMs = Date.now() - killedAt;
    const survivorsFds = await Promise.all(
      instances.slice(1).map(async (instance) => (await sampleProcess(instance.pid))?.fds ?? 0),
    );

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
        figure: 'handshakes in flight, peak (server side)',
        superimap: String(peak),
        reference: '',
        target: `≤ ${clients * HANDSHAKE_CAP} (${HANDSHAKE_CAP} per process)`,
        verdict: verdict(peak <= clients * HANDSHAKE_CAP),
      },
      {
        section,
        figure: 'imap-client RSS, total / per mailbox',
        superimap: `${fmt.mib(totalRss)} / ${fmt.kib(totalRss / mailboxes)}`,
        reference: `fake server ${fmt.mib(fakeRss)}`,
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
    );
  } finally {
    await bed.tearDown(false);
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
