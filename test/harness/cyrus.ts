// A private Cyrus IMAP 3.6 per test suite, from the .debs scripts/install-test-deps.sh unpacks (Debian's
// cyrus-imapd conflicts with dovecot-imapd). Everything lives in a fresh temp dir; no system config is read.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';

import { waitFor } from '../support/wait-for.js';
import {
  freePorts,
  greets,
  HOST,
  INSTALL_HINT,
  killOnExit,
  SERVERS_DIR,
  stopMarkedProcesses,
} from './server-processes.js';

const CYRUS = join(SERVERS_DIR, 'cyrus');
const BIN = join(CYRUS, 'usr/lib/cyrus/bin');
const DOMAIN = 'example.test';
const ADMIN = 'cyrus';

export interface MailUser {
  /** What SuperIMAP logs in with. */
  login: string;
  password: string;
  /** Where mail is delivered. */
  address: string;
}

export interface MessageFlags {
  uid: number;
  flags: string[];
}

export class CyrusTestServer {
  private stopped = false;
  private forgetOnExit: () => void = () => undefined;

  private constructor(
    readonly root: string,
    readonly imapPort: number,
    readonly lmtpPort: number,
    private readonly marker: string,
    private readonly master: ChildProcess,
  ) {}

  /**
   * Starts master (imapd, lmtpd and idled, which pushes IDLE only if `<configdirectory>/socket/` exists) and
   * creates users user1..userN. Logins are not checked (`sasl_pwcheck_method: alwaystrue`): no SASL tools needed.
   */
  static async start(options: { users?: number } = {}): Promise<CyrusTestServer> {
    await access(join(BIN, 'master')).catch(() => {
      throw new Error(`Cyrus IMAP not found in ${CYRUS}: ${INSTALL_HINT}`);
    });
    const root = await mkdtemp(join(tmpdir(), 'superimap-cyrus-'));
    const [imapPort, lmtpPort] = await freePorts(2);
    const marker = `SUPERIMAP_TEST_SERVER=cyrus-${process.pid}-${randomBytes(4).toString('hex')}`;
    await chmod(root, 0o755);
    for (const dir of ['lib/socket', 'lib/proc', 'lib/lock', 'spool', 'run'])
      await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, 'imapd.conf'), imapdConf(root));
    await writeFile(join(root, 'cyrus.conf'), cyrusConf(root, imapPort, lmtpPort));
    await chownTree(root, ['lib', 'lib/socket', 'lib/proc', 'lib/lock', 'spool', 'run']);
    const [name, value] = marker.split('=');
    const master = spawn(join(BIN, 'master'), ['-C', join(root, 'imapd.conf'), '-M', join(root, 'cyrus.conf')], {
      env: { PATH: process.env.PATH ?? '', LD_LIBRARY_PATH: join(CYRUS, 'usr/lib/x86_64-linux-gnu'), [name]: value },
      stdio: 'ignore',
    });
    const server = new CyrusTestServer(root, imapPort, lmtpPort, marker, master);
    server.forgetOnExit = killOnExit(marker);
    try {
      await waitFor(
        'Cyrus to answer IMAP and LMTP',
        async () => (await greets(imapPort, '* OK')) && (await greets(lmtpPort, '220')),
        { timeoutMs: 15_000, intervalMs: 25 },
      );
      await server.asAdmin(async (client) => {
        for (let n = 1; n <= (options.users ?? 3); n++) await client.mailboxCreate(`user/user${n}`);
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  user(n: number): MailUser {
    return { login: `user${n}`, password: `pw-user${n}`, address: `user${n}@${DOMAIN}` };
  }

  /** Delivers over Cyrus's LMTP, as its MTA would. */
  async deliver(n: number, raw: Buffer): Promise<void> {
    const transport = nodemailer.createTransport({ lmtp: true, host: HOST, port: this.lmtpPort, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: `sender@${DOMAIN}`, to: [this.user(n).address] },
        raw,
      });
      if (info.rejected.length > 0) throw new Error(`Cyrus LMTP rejected ${this.user(n).address}: ${info.response}`);
    } finally {
      transport.close();
    }
  }

  /** Flags of every message as the user sees them (\Recent included), read with EXAMINE, which changes none. */
  async flags(n: number): Promise<MessageFlags[]> {
    const client = this.client(this.user(n).login);
    await client.connect();
    try {
      const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
      const found: MessageFlags[] = [];
      if (mailbox.exists === 0) return found;
      for await (const message of client.fetch('1:*', { uid: true, flags: true })) {
        found.push({ uid: message.uid, flags: [...(message.flags ?? [])].sort() });
      }
      return found;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async uidValidity(n: number): Promise<bigint> {
    const client = this.client(this.user(n).login);
    await client.connect();
    try {
      const status = await client.status('INBOX', { uidValidity: true });
      return status ? (status.uidValidity ?? 0n) : 0n;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** A new UIDVALIDITY: the admin deletes and recreates the mailbox (its mail goes with it). */
  async changeUidValidity(n: number): Promise<void> {
    // Even an admin needs the `x` right to delete a user's mailbox; imapflow has no SETACL, so raw IMAP.
    await this.adminCommands([
      `SETACL user/user${n} ${ADMIN} lrswipkxtecda`,
      `DELETE user/user${n}`,
      `CREATE user/user${n}`,
    ]);
  }

  /** Runs IMAP commands as the admin, one at a time; rejects on the first that is not OK. */
  private adminCommands(commands: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.imapPort, HOST);
      const queue = [`LOGIN ${ADMIN} any`, ...commands, 'LOGOUT'];
      let buffer = '';
      let tag = 0;
      const next = (): void => {
        const command = queue.shift();
        if (command) socket.write(`t${++tag} ${command}\r\n`);
      };
      socket.setEncoding('latin1');
      socket.setTimeout(10_000, () => socket.destroy(new Error('Cyrus admin command timed out')));
      socket.once('error', reject);
      socket.once('close', () => resolve());
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (tag === 0 && line.startsWith('* OK')) next();
          const done = new RegExp(`^t${tag} (OK|NO|BAD)`).exec(line);
          if (done && done[1] !== 'OK') socket.destroy(new Error(`Cyrus refused: ${line}`));
          else if (done) next();
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.master.exitCode === null && this.master.signalCode === null) this.master.kill('SIGTERM');
    await stopMarkedProcesses(this.marker);
    this.forgetOnExit();
    if (process.env.SUPERIMAP_KEEP_TEST_SERVER_ROOT !== '1') await rm(this.root, { recursive: true, force: true });
  }

  private client(login: string): ImapFlow {
    const client = new ImapFlow({
      host: HOST,
      port: this.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: login, pass: 'any' },
      logger: false,
    });
    client.on('error', () => undefined);
    return client;
  }

  private async asAdmin(work: (client: ImapFlow) => Promise<void>): Promise<void> {
    const client = this.client(ADMIN);
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

function imapdConf(root: string): string {
  return [
    `configdirectory: ${root}/lib`,
    `partition-default: ${root}/spool`,
    `admins: ${ADMIN}`,
    'sasl_pwcheck_method: alwaystrue',
    'sasl_mech_list: PLAIN LOGIN',
    'allowplaintext: yes',
    'unixhierarchysep: yes',
    'lmtp_downcase_rcpt: yes',
    // idled listens here; without it IDLE falls back to polling every 60 s.
    `idlesocket: ${root}/lib/socket/idle`,
    `lmtpsocket: ${root}/lib/socket/lmtp`,
    `notifysocket: ${root}/lib/socket/notify`,
    `mboxname_lockpath: ${root}/lib/lock`,
    `proc_path: ${root}/lib/proc`,
    'syslog_prefix: superimap-test-cyrus',
    '',
  ].join('\n');
}

function cyrusConf(root: string, imapPort: number, lmtpPort: number): string {
  const conf = `-C ${root}/imapd.conf`;
  return `START {
  recover cmd="${BIN}/ctl_cyrusdb ${conf} -r"
}
SERVICES {
  imap cmd="${BIN}/imapd ${conf}" listen="${HOST}:${imapPort}" prefork=0
  lmtp cmd="${BIN}/lmtpd ${conf} -a" listen="${HOST}:${lmtpPort}" prefork=0
}
EVENTS {
}
DAEMON {
  idled cmd="${BIN}/idled ${conf}"
}
`;
}

/** Cyrus's processes run as its compiled-in user `cyrus` (created by install-test-deps.sh). */
async function chownTree(root: string, dirs: string[]): Promise<void> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('cyrus:'));
  if (!line) throw new Error(`no user cyrus: ${INSTALL_HINT}`);
  const [, , uid, gid] = line.split(':').map(Number);
  await chown(root, uid, gid);
  for (const dir of dirs) await chown(join(root, dir), uid, gid);
}
