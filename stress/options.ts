// Command-line options of `npm run stress`.

import { parseArgs } from 'node:util';

export interface StressOptions {
  mailboxes: number;
  /** Mails per second over the whole run. */
  rate: number;
  /** Seconds of mail generation. */
  duration: number;
  chaos: boolean;
  chaosProbability: number;
  /** Also answer LOGIN with NO [UNAVAILABLE] (too many connections) under chaos. */
  loginThrottling: boolean;
  kills: boolean;
  /** Mean seconds between kills. */
  killInterval: number;
  imapClients: number;
  workers: number;
  seed: number;
  mailSize: number;
  /** Seconds to wait, after generation stopped, for every mail to arrive. */
  drainTimeout: number;
  imapHosts: number;
  keep: boolean;
  out: string;
  /** Extra KEY=VALUE environment for the imap-client and worker processes. */
  env: Record<string, string>;
  /** Run every role on a private three-master Redis Cluster. */
  redisCluster: boolean;
}

export const USAGE = `usage: npm run stress -- [options]
  --mailboxes N          watched mailboxes (default 200)
  --rate N               mails per second into random mailboxes (default 10)
  --duration S           seconds of mail generation (default 120)
  --chaos                server faults on about 2 % of commands (see stress/chaos-plan.ts)
  --chaos-probability P  chance per command (default 0.02)
  --login-throttling     under chaos, LOGIN may also meet NO [UNAVAILABLE] Too many simultaneous connections
  --kills                SIGKILL and restart a random imap-client or worker now and then
  --kill-interval S      mean seconds between kills (default 20)
  --imap-clients N       imap-client processes (default 1)
  --workers N            worker processes (default 1)
  --seed N               seed of mailbox choice, chaos and kills (default: random, printed)
  --mail-size BYTES      size of each generated mail (default 2048)
  --drain-timeout S      how long to wait for stragglers once generation stopped (default 180)
  --imap-hosts N         fake server addresses 127.0.0.1..N, one provider each (default 1)
  --env KEY=VALUE        extra environment for imap-client and worker (repeatable)
  --redis-cluster        run on a private 3-master Redis Cluster instead of REDIS_URL
  --keep                 keep the database and Redis keys afterwards
  --out DIR              results folder (default stress-results)`;

/** The `--env KEY=VALUE` options of the stress, bench and scale commands, as an environment. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--env expects KEY=VALUE, got ${pair}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

export function parseStressOptions(argv: string[]): StressOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      mailboxes: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      chaos: { type: 'boolean' },
      'chaos-probability': { type: 'string' },
      'login-throttling': { type: 'boolean' },
      kills: { type: 'boolean' },
      'kill-interval': { type: 'string' },
      'imap-clients': { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      'mail-size': { type: 'string' },
      'drain-timeout': { type: 'string' },
      'imap-hosts': { type: 'string' },
      env: { type: 'string', multiple: true },
      'redis-cluster': { type: 'boolean' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, fallback: number): number => {
    const raw = (values as Record<string, string | boolean | string[] | undefined>)[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`--${name} must be a number ≥ 0, got ${JSON.stringify(raw)}`);
    return value;
  };
  const env = parseEnvPairs(values.env ?? []);
  return {
    mailboxes: number('mailboxes', 200),
    rate: number('rate', 10),
    duration: number('duration', 120),
    chaos: values.chaos ?? false,
    chaosProbability: number('chaos-probability', 0.02),
    loginThrottling: values['login-throttling'] ?? false,
    kills: values.kills ?? false,
    killInterval: number('kill-interval', 20),
    imapClients: number('imap-clients', 1),
    workers: number('workers', 1),
    seed: number('seed', Math.floor(Math.random() * 2 ** 31)),
    mailSize: number('mail-size', 2048),
    drainTimeout: number('drain-timeout', 180),
    imapHosts: Math.max(1, number('imap-hosts', 1)),
    keep: values.keep ?? false,
    out: values.out ?? 'stress-results',
    env,
    redisCluster: values['redis-cluster'] ?? false,
  };
}
