// A private, throw-away Dovecot 2.3 instance per test suite (recipe: shared/docs/testbed.md of the project workspace).
// Everything lives in a fresh temp dir; nothing reads or touches /etc/dovecot or the system service.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import {
  access,
  appendFile,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import nodemailer from 'nodemailer';

import { freePorts, greets } from './server-processes.js';

const execFileAsync = promisify(execFile);

const INSTALL_HINT = 'run scripts/install-test-deps.sh (as root) to install dovecot-imapd, dovecot-lmtpd and openssl';
/** Delivers over a few long-lived LMTP connections (DovecotTestServer.lmtpPool). */
export interface LmtpPool {
  deliver(to: string, raw: Buffer): Promise<void>;
  close(): void;
}

const TEMPLATE_URL = new URL('./dovecot.conf.in', import.meta.url);
const HOST = '127.0.0.1';
const USER_DOMAIN = 'example.test';

export interface DovecotStartOptions {
  /** Generated users user0001@example.test / pw-user0001 ... (default 3). */
  users?: number;
  /** Dovecot `imap_hibernate_timeout`, e.g. '5s'; '0' (default) disables hibernation. */
  hibernateTimeout?: string;
  /** Fixed ports; by default free ports are chosen so parallel jest workers don't collide. */
  imapPort?: number;
  imapsPort?: number;
  lmtpPort?: number;
  /** OS user/group owning the mailboxes (default nobody/nogroup: keeps the per-uid inotify budget private). */
  mailUser?: string;
  mailGroup?: string;
  /** Max time to wait for IMAP and LMTP to answer (default 10 s). */
  startTimeoutMs?: number;
  /**
   * Accept XOAUTH2/OAUTHBEARER logins, validating each token with a GET to this URL + the token, whose
   * JSON `email` must be the login name (Dovecot's oauth2 passdb, tokeninfo mode).
   */
  oauth2TokeninfoUrl?: string;
}

export interface TestUser {
  email: string;
  password: string;
}

export interface LoginCounts {
  /** Logins that imap-login accepted ("Login: user=<...>"). */
  succeeded: number;
  /** Password checks the passdb rejected (wrong password or unknown user). */
  failed: number;
  total: number;
}

export interface MailboxStatus {
  messages: number;
  unseen: number;
  uidNext: number;
  uidValidity: number;
}

interface Ports {
  imap: number;
  imaps: number;
  lmtp: number;
}

interface Binaries {
  dovecot: string;
  doveadm: string;
  openssl: string;
}

/** Master processes still running, so a forgotten stop() doesn't leave Dovecot behind when jest exits. */
const runningMasters = new Set<ChildProcess>();
let exitHookInstalled = false;
let instanceCounter = 0;

export class DovecotTestServer {
  readonly host = HOST;
  readonly imapPort: number;
  readonly imapsPort: number;
  readonly lmtpPort: number;
  /** How long start() took until IMAP and LMTP answered (incl. cert and config generation). */
  startupMs = 0;
  private stopped = false;
  /** Last mtime (s) given to the users file; starts at the second it was written. */
  private usersStamp = Math.floor(Date.now() / 1000);

  private constructor(
    /** Temp dir holding config, users, TLS, logs and mail. */
    readonly root: string,
    /** Dovecot `instance_name`; process titles start with `dovecot-<instanceName>/`. */
    readonly instanceName: string,
    ports: Ports,
    private readonly userCount: number,
    private readonly bins: Binaries,
    private readonly master: ChildProcess,
    private readonly masterStderr: () => string,
  ) {
    this.imapPort = ports.imap;
    this.imapsPort = ports.imaps;
    this.lmtpPort = ports.lmtp;
  }

  get configPath(): string {
    return join(this.root, 'dovecot.conf');
  }

  get logPath(): string {
    return join(this.root, 'log', 'dovecot.log');
  }

  private get usersPath(): string {
    return join(this.root, 'users');
  }

  static async start(opts: DovecotStartOptions = {}): Promise<DovecotTestServer> {
    const startedAt = performance.now();
    const bins = await findBinaries();
    if (process.getuid?.() !== 0) {
      throw new Error(
        'DovecotTestServer must run as root: the Dovecot master switches to the dovecot, dovenull and mail users',
      );
    }
    const userCount = opts.users ?? 3;
    const fixedPorts = opts.imapPort !== undefined || opts.imapsPort !== undefined || opts.lmtpPort !== undefined;
    // Free ports are only reserved until we release them, so another process may grab one first: retry then.
    const attempts = fixedPorts ? 1 : 3;
    for (let attempt = 1; ; attempt++) {
      const ports = await choosePorts(opts);
      try {
        const server = await DovecotTestServer.startOnce(opts, ports, userCount, bins);
        server.startupMs = Math.round(performance.now() - startedAt);
        return server;
      } catch (err) {
        const portClash = err instanceof Error && /Address already in use/i.test(err.message);
        if (!portClash || attempt >= attempts) throw err;
      }
    }
  }

  private static async startOnce(
    opts: DovecotStartOptions,
    ports: Ports,
    userCount: number,
    bins: Binaries,
  ): Promise<DovecotTestServer> {
    const root = await mkdtemp(join(tmpdir(), 'superimap-dovecot-'));
    const instanceName = `sitest-${process.pid}-${++instanceCounter}-${randomBytes(2).toString('hex')}`;
    try {
      await prepareRoot(root, bins, opts, ports, instanceName, userCount);
      const stderr: string[] = [];
      const master = spawn(bins.dovecot, ['-F', '-c', join(root, 'dovecot.conf')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      master.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
      runningMasters.add(master);
      master.once('exit', () => runningMasters.delete(master));
      installExitHook();
      const server = new DovecotTestServer(root, instanceName, ports, userCount, bins, master, () => stderr.join(''));
      try {
        await server.waitUntilReady(opts.startTimeoutMs ?? 10_000);
      } catch (err) {
        await server.stop({ keepFiles: false });
        throw err;
      }
      return server;
    } catch (err) {
      await rm(root, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * SIGTERMs the master together with its children, waits, kills leftovers of this instance and
   * removes the temp dir. `graceful: true` signals only the master, which then takes ~1.1 s:
   * it SIGQUITs children still holding listeners and sleeps a fixed 1000 ms (service-monitor.c).
   */
  async stop(opts: { keepFiles?: boolean; graceful?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const children = opts.graceful ? [] : [...(await instanceProcesses(this.instanceName)).keys()];
    const masterGone = terminate(this.master, 10_000);
    for (const pid of children) signal(pid, 'SIGTERM');
    await masterGone;
    await killLeftovers(this.instanceName);
    const keep = opts.keepFiles ?? process.env.SUPERIMAP_KEEP_DOVECOT_ROOT === '1';
    if (!keep) await rm(this.root, { recursive: true, force: true });
  }

  /** Generated user n (1-based): user0001@example.test / pw-user0001. */
  user(n: number): TestUser {
    if (!Number.isInteger(n) || n < 1 || n > this.userCount) {
      throw new Error(
        `user(${n}): this server has users 1..${this.userCount} (start({ users }) or addUser() for more)`,
      );
    }
    const name = `user${String(n).padStart(4, '0')}`;
    return { email: `${name}@${USER_DOMAIN}`, password: `pw-${name}` };
  }

  /** Adds a login; resolves once Dovecot will see it (see publishUsers). */
  async addUser(email: string, password: string): Promise<TestUser> {
    await this.addUsers([{ email, password }]);
    return { email, password };
  }

  /** Adds several logins with a single wait for Dovecot to pick them up. */
  async addUsers(users: TestUser[]): Promise<void> {
    for (const u of users) {
      assertPasswdField('email', u.email);
      assertPasswdField('password', u.password);
    }
    await this.publishUsers(() =>
      appendFile(this.usersPath, users.map((u) => passwdLine(u.email, u.password)).join('')),
    );
  }

  /** Changes (or, with a random value, revokes) a user's password; applies to the next login. */
  async setPassword(email: string, password: string): Promise<void> {
    assertPasswdField('password', password);
    await this.publishUsers(async () => {
      const lines = (await readFile(this.usersPath, 'utf8')).split('\n').filter((l) => l !== '');
      const prefix = `${email.toLowerCase()}:`;
      const index = lines.findIndex((l) => l.startsWith(prefix));
      if (index < 0) throw new Error(`setPassword: no such user ${email}`);
      lines[index] = passwdLine(email, password).trimEnd();
      await writeFile(this.usersPath, `${lines.join('\n')}\n`);
    });
  }

  /**
   * Dovecot's passwd-file reloads only when mtime (whole seconds) or size changed, and stats the
   * file at most once per second (passwd_file_sync). So give every write a new mtime second and
   * return only once the clock is past the second of the write.
   */
  private async publishUsers(write: () => Promise<void>): Promise<void> {
    await write();
    const stamp = Math.max(Math.floor(Date.now() / 1000), this.usersStamp + 1);
    this.usersStamp = stamp;
    await utimes(this.usersPath, stamp, stamp);
    const visibleAt = (Math.floor(Date.now() / 1000) + 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, visibleAt - Date.now()));
  }

  /** Delivers a raw RFC822 message over LMTP (like the MTA would); rejects if any recipient is refused. */
  async deliver(to: string | string[], raw: Buffer | string, opts: { from?: string } = {}): Promise<void> {
    const recipients = Array.isArray(to) ? to : [to];
    const transport = nodemailer.createTransport({ lmtp: true, host: HOST, port: this.lmtpPort, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: opts.from ?? `sender@${USER_DOMAIN}`, to: recipients },
        raw,
      });
      const rejected = info.rejected.map(String);
      if (rejected.length > 0) throw new Error(`LMTP rejected ${rejected.join(', ')}: ${info.response}`);
    } catch (err) {
      throw new Error(
        `deliver to ${recipients.join(', ')} via LMTP 127.0.0.1:${this.lmtpPort} failed: ${errorText(err)}`,
        { cause: err },
      );
    } finally {
      transport.close();
    }
  }

  /**
   * An LMTP sender that keeps up to `connections` connections open and delivers over them one message
   * after another, as an MTA's LMTP connection cache does (a connection per mail costs Dovecot an LMTP
   * session each, and the sender a handshake). For load: tests deliver one mail at a time with deliver().
   */
  lmtpPool(connections: number): LmtpPool {
    const transport = nodemailer.createTransport({
      pool: true,
      lmtp: true,
      host: HOST,
      port: this.lmtpPort,
      ignoreTLS: true,
      maxConnections: connections,
      maxMessages: Infinity,
    });
    return {
      deliver: async (to, raw) => {
        const info = await transport.sendMail({ envelope: { from: `sender@${USER_DOMAIN}`, to: [to] }, raw });
        if (info.rejected.length > 0) throw new Error(`LMTP rejected ${to}: ${info.response}`);
      },
      close: () => transport.close(),
    };
  }

  /**
   * Counts login attempts for a user from the Dovecot log (it may lag the client's reply by a few ms:
   * use waitForLogins to wait for a minimum). `failed` = wrong password or unknown user.
   */
  async countLogins(email: string): Promise<LoginCounts> {
    const wanted = email.toLowerCase();
    let succeeded = 0;
    let failed = 0;
    for (const line of (await this.readLog()).split('\n')) {
      const ok = /\bimap-login: Info: Login: user=<([^>]*)>/.exec(line);
      if (ok?.[1]?.toLowerCase() === wanted) succeeded++;
      // auth_verbose: "auth: Info: passwd-file(user,ip,<session>): Password mismatch" / "unknown user";
      // only logins carry a <session>, userdb lookups (e.g. LMTP to an unknown recipient) don't.
      const bad = /\bauth: Info: [\w-]+\(([^,)]*),[^,)]*,<[^>]*>\): (Password mismatch|unknown user)/.exec(line);
      if (bad?.[1]?.toLowerCase() === wanted) failed++;
    }
    return { succeeded, failed, total: succeeded + failed };
  }

  /** Polls countLogins() until it reaches at least the given counts. */
  async waitForLogins(email: string, atLeast: Partial<LoginCounts>, timeoutMs = 3000): Promise<LoginCounts> {
    return pollUntil(
      () => this.countLogins(email),
      (c) =>
        c.succeeded >= (atLeast.succeeded ?? 0) && c.failed >= (atLeast.failed ?? 0) && c.total >= (atLeast.total ?? 0),
      timeoutMs,
      (c) => `logins for ${email}: wanted at least ${JSON.stringify(atLeast)}, have ${JSON.stringify(c)}`,
    );
  }

  /** Currently open IMAP sessions of a user, as tracked by this instance's anvil (`doveadm who`). */
  async countSessions(email: string): Promise<number> {
    const rows = await this.doveadmTable(['who', '-1', email]);
    return rows.filter((r) => r.username?.toLowerCase() === email.toLowerCase()).length;
  }

  /** Open IMAP sessions per user, for every user at once (one `doveadm who` call). */
  async sessionsByUser(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const row of await this.doveadmTable(['who', '-1'])) {
      const user = row.username?.toLowerCase();
      if (user) counts.set(user, (counts.get(user) ?? 0) + 1);
    }
    return counts;
  }

  /** Polls countSessions() until it equals `count` (logouts reach anvil asynchronously). */
  async waitForSessions(email: string, count: number, timeoutMs = 3000): Promise<number> {
    return pollUntil(
      () => this.countSessions(email),
      (n) => n === count,
      timeoutMs,
      (n) => `sessions for ${email}: wanted ${count}, have ${n}`,
    );
  }

  async mailboxStatus(email: string, mailbox = 'INBOX'): Promise<MailboxStatus> {
    const fields = 'messages unseen uidnext uidvalidity';
    const [row] = await this.doveadmTable(['mailbox', 'status', '-u', email, fields, mailbox]);
    if (!row) throw new Error(`doveadm mailbox status ${email} ${mailbox}: no output`);
    return {
      messages: Number(row.messages),
      unseen: Number(row.unseen),
      uidNext: Number(row.uidnext),
      uidValidity: Number(row.uidvalidity),
    };
  }

  /**
   * Gives the mailbox a new UIDVALIDITY (current + 1) and returns it; message UIDs stay as they are.
   * Sessions that have the mailbox selected get "* BYE IMAP session state is inconsistent, please
   * relogin." at their next sync: their next command, or a new delivery while in IDLE (the change
   * itself does not wake IDLE, hibernated or not).
   */
  async changeUidValidity(email: string, mailbox = 'INBOX'): Promise<number> {
    const { uidValidity } = await this.mailboxStatus(email, mailbox);
    const next = uidValidity >= 0xffff_ffff ? 1 : uidValidity + 1;
    await this.doveadm(['mailbox', 'update', '--uid-validity', String(next), '-u', email, mailbox]);
    return next;
  }

  /** Flags of one message, e.g. ['\\Seen']; session-local \Recent is left out. */
  async mailboxFlags(email: string, uid: number, mailbox = 'INBOX'): Promise<string[]> {
    const [row] = await this.doveadmTable(['fetch', '-u', email, 'flags', 'mailbox', mailbox, 'uid', String(uid)]);
    if (!row) throw new Error(`mailboxFlags: ${email} ${mailbox} has no message with UID ${uid}`);
    return (row.flags ?? '').split(' ').filter((f) => f !== '' && f !== '\\Recent');
  }

  async readLog(): Promise<string> {
    return readFile(this.logPath, 'utf8').catch(() => '');
  }

  /** Process titles of this instance's children (verbose_proctitle), e.g. "dovecot-<instance>/imap [user0001@example.test 127.0.0.1 IDLE]". */
  async processTitles(): Promise<string[]> {
    return [...(await instanceProcesses(this.instanceName)).values()];
  }

  /** IDLE connections currently parked in imap-hibernate (needs `hibernateTimeout`). */
  async countHibernated(): Promise<number> {
    let total = 0;
    for (const title of await this.processTitles()) {
      total += Number(/\/imap-hibernate \[(\d+) connections?\]/.exec(title)?.[1] ?? 0);
    }
    return total;
  }

  async waitForHibernated(count: number, timeoutMs = 5000): Promise<number> {
    return pollUntil(
      () => this.countHibernated(),
      (n) => n === count,
      timeoutMs,
      (n) => `hibernated connections: wanted ${count}, have ${n}`,
    );
  }

  /** Polls the Dovecot log until a line matches; resolves with that line. */
  async waitForLog(pattern: RegExp, timeoutMs = 3000): Promise<string> {
    const line = await pollUntil(
      async () => (await this.readLog()).split('\n').find((l) => pattern.test(l)),
      (found) => found !== undefined,
      timeoutMs,
      () => `no line matching ${pattern} in ${this.logPath}`,
    );
    return line ?? '';
  }

  /** Runs doveadm against this instance; rejects with its stderr. */
  async doveadm(args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync(this.bins.doveadm, ['-c', this.configPath, ...args], { encoding: 'utf8' });
      return stdout;
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`doveadm ${args.join(' ')} failed: ${stderr || errorText(err)}`, { cause: err });
    }
  }

  /** doveadm with `-f tab`, as rows keyed by column name (doveadm orders columns its own way). */
  private async doveadmTable(args: string[]): Promise<Record<string, string>[]> {
    return parseTab(await this.doveadm(['-f', 'tab', ...args]));
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    let exited: string | undefined;
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      exited = `dovecot exited during start (code ${code}, signal ${signal})`;
    };
    this.master.once('exit', onExit);
    try {
      await pollUntil(
        async () => exited ?? ((await greets(this.imapPort, '* OK')) && (await greets(this.lmtpPort, '220'))),
        (state) => state !== false,
        timeoutMs,
        () => `dovecot did not answer on IMAP ${this.imapPort} / LMTP ${this.lmtpPort} within ${timeoutMs} ms`,
      ).then((state) => {
        if (typeof state === 'string') throw new Error(state);
      });
    } catch (err) {
      const log = (await this.readLog()).split('\n').slice(-15).join('\n');
      throw new Error(
        `${errorText(err)}\n--- stderr ---\n${this.masterStderr()}\n--- ${this.logPath} (tail) ---\n${log}`,
        { cause: err },
      );
    } finally {
      this.master.off('exit', onExit);
    }
  }
}

async function findBinaries(): Promise<Binaries> {
  // `dovecot` lives in /usr/sbin, which a non-login PATH may lack
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/bin'];
  const find = async (name: string): Promise<string> => {
    for (const dir of dirs) {
      if (await isExecutable(join(dir, name))) return join(dir, name);
    }
    throw new Error(`\`${name}\` not found (PATH and /usr/sbin): ${INSTALL_HINT}`);
  };
  const [dovecot, doveadm, openssl] = await Promise.all([find('dovecot'), find('doveadm'), find('openssl')]);
  for (const path of ['/usr/lib/dovecot/imap', '/usr/lib/dovecot/lmtp']) {
    if (!(await isExecutable(path))) throw new Error(`${path} missing: ${INSTALL_HINT}`);
  }
  return { dovecot, doveadm, openssl };
}

function isExecutable(path: string): Promise<boolean> {
  return access(path, fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

async function prepareRoot(
  root: string,
  bins: Binaries,
  opts: DovecotStartOptions,
  ports: Ports,
  instanceName: string,
  userCount: number,
): Promise<void> {
  const mailUser = opts.mailUser ?? 'nobody';
  const mailGroup = opts.mailGroup ?? 'nogroup';
  // mkdtemp gives 0700; the dovecot auth user must read `users`, the mail user must reach `mail/`.
  await chmod(root, 0o755);
  await Promise.all(['run', 'state', 'log', 'ssl', 'mail'].map((d) => mkdir(join(root, d))));
  await chown(join(root, 'mail'), await lookupId('/etc/passwd', mailUser), await lookupId('/etc/group', mailGroup));

  const users = Array.from({ length: userCount }, (_, i) => {
    const name = `user${String(i + 1).padStart(4, '0')}`;
    return passwdLine(`${name}@${USER_DOMAIN}`, `pw-${name}`);
  });
  await writeFile(join(root, 'users'), users.join(''));

  // EC key: generated in a few ms (RSA 2048 takes ~100 ms+); clients use rejectUnauthorized:false.
  const certArgs = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=localhost';
  await execFileAsync(bins.openssl, [
    ...certArgs.split(' '),
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ...['-keyout', join(root, 'ssl', 'key.pem'), '-out', join(root, 'ssl', 'cert.pem')],
  ]);

  const values: Record<string, string> = {
    ROOT: root,
    INSTANCE: instanceName,
    MAIL_USER: mailUser,
    MAIL_GROUP: mailGroup,
    HIBERNATE_TIMEOUT: opts.hibernateTimeout ?? '0',
    IMAP_PORT: String(ports.imap),
    IMAPS_PORT: String(ports.imaps),
    LMTP_PORT: String(ports.lmtp),
    // Below `ulimit -n` (20000 on the dev VMs), or the master warns at start.
    CLIENT_LIMIT: String(Math.max(1000, (await fdLimit()) - 1000)),
  };
  const template = await readFile(TEMPLATE_URL, 'utf8');
  const config = template.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`dovecot.conf.in: unknown placeholder ${whole}`);
    return value;
  });
  await writeFile(
    join(root, 'dovecot.conf'),
    config + (opts.oauth2TokeninfoUrl ? await oauth2Config(root, opts.oauth2TokeninfoUrl) : ''),
  );
}

/** Dovecot's oauth2 passdb beside the password file (testbed.md §4, tokeninfo mode). */
async function oauth2Config(root: string, tokeninfoUrl: string): Promise<string> {
  const args = join(root, 'dovecot-oauth2.conf.ext');
  await writeFile(
    args,
    ['username_attribute = email', 'timeout_msecs = 5000', `tokeninfo_url = ${tokeninfoUrl}`, ''].join('\n'),
  );
  return [
    '',
    'auth_mechanisms = plain login xoauth2 oauthbearer',
    'passdb {',
    '  driver = oauth2',
    '  mechanisms = xoauth2 oauthbearer',
    `  args = ${args}`,
    '}',
    '',
  ].join('\n');
}

function passwdLine(email: string, password: string): string {
  // uid, gid and home come from userdb default_fields
  return `${email.toLowerCase()}:{PLAIN}${password}::::::\n`;
}

function assertPasswdField(what: string, value: string): void {
  if (value === '' || /[:\n\r]/.test(value))
    throw new Error(`${what} must be non-empty and contain no ':' or newline: ${JSON.stringify(value)}`);
}

async function lookupId(file: '/etc/passwd' | '/etc/group', name: string): Promise<number> {
  const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  const id = Number(line?.split(':')[2]);
  if (!line || !Number.isInteger(id)) throw new Error(`${name} not found in ${file}`);
  return id;
}

async function fdLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
  return Number.isFinite(soft) && soft > 0 ? soft : 1024;
}

async function choosePorts(opts: DovecotStartOptions): Promise<Ports> {
  const free = await freePorts(3);
  return { imap: opts.imapPort ?? free[0], imaps: opts.imapsPort ?? free[1], lmtp: opts.lmtpPort ?? free[2] };
}

async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  describe: (last: T) => string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function terminate(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Process titles (pid -> title) of this instance's children, e.g. "dovecot-<instance>/imap [user ip IDLE]". */
async function instanceProcesses(instanceName: string): Promise<Map<number, string>> {
  const prefixes = [`dovecot-${instanceName}/`, `${instanceName}/`];
  const found = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const title = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0+$/, '');
    if (prefixes.some((p) => title.startsWith(p))) found.set(Number(entry), title);
  }
  return found;
}

/** Children can outlive the master (e.g. imap-hibernate under load); find them by this instance's proctitle. */
async function killLeftovers(instanceName: string): Promise<void> {
  const pids = [...(await instanceProcesses(instanceName)).keys()];
  if (pids.length === 0) return;
  for (const pid of pids) signal(pid, 'SIGTERM');
  const stillAlive = async (): Promise<number[]> =>
    (await Promise.all(pids.map(async (pid) => ((await isAlive(pid)) ? pid : 0)))).filter(Boolean);
  await pollUntil(
    stillAlive,
    (alive) => alive.length === 0,
    2000,
    () => 'leftover processes',
  ).catch(async () => {
    for (const pid of await stillAlive()) signal(pid, 'SIGKILL');
  });
}

/** A zombie (state Z) counts as gone: it has exited and only waits to be reaped by its new parent. */
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

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const master of runningMasters) master.kill('SIGTERM');
  });
}

/** doveadm -f tab output. A row may be an empty line (one column with an empty value, e.g. no flags). */
function parseTab(out: string): Record<string, string>[] {
  const [header, ...rows] = out.replace(/\n$/, '').split('\n');
  if (!header) return [];
  const names = header.split('\t');
  return rows.map((row) => Object.fromEntries(row.split('\t').map((v, i) => [names[i] ?? `col${i}`, v])));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
