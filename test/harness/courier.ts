// A private Courier-IMAP 5.0 per test suite, from the .debs scripts/install-test-deps.sh unpacks (Debian's
// courier-imap conflicts with dovecot-imapd). Courier's login library has its authdaemon socket path
// compiled in (under /run/courier), so the server runs in a mount namespace of its own where the instance's
// run/ folder is bind-mounted there, and a small stand-in answers the authdaemon line protocol.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, mkdtemp, readdir, rm, symlink, unlink } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { waitFor } from '../support/wait-for.js';
import type { MailUser } from './cyrus.js';
import { freePorts, greets, INSTALL_HINT, killOnExit, SERVERS_DIR, stopMarkedProcesses } from './server-processes.js';

const COURIER = join(SERVERS_DIR, 'courier');
const LIBRARY_PATH = ['usr/lib', 'usr/lib/x86_64-linux-gnu', 'usr/lib/courier-authlib']
  .map((dir) => join(COURIER, dir))
  .join(':');
const DOMAIN = 'example.test';
/** Mailboxes belong to nobody:nogroup, as with the Dovecot harness. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;
/** Maildir flag letters (after ":2,") and the IMAP flags they stand for. */
const MAILDIR_FLAGS: Record<string, string> = {
  D: '\\Draft',
  F: '\\Flagged',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
};

export interface MaildirMessage {
  /** The maildir file name up to the flags: stable while the message exists. */
  name: string;
  /** IMAP flags; `\Recent` while the file is still in new/. */
  flags: string[];
}

export class CourierTestServer {
  private stopped = false;
  private forgetOnExit: () => void = () => undefined;

  private constructor(
    readonly root: string,
    readonly imapPort: number,
    private readonly users: number,
    private readonly marker: string,
    private readonly auth: net.Server,
    private readonly launcher: ChildProcess,
  ) {}

  static async start(options: { users?: number } = {}): Promise<CourierTestServer> {
    await access(join(COURIER, 'usr/bin/imapd')).catch(() => {
      throw new Error(`Courier-IMAP not found in ${COURIER}: ${INSTALL_HINT}`);
    });
    const users = options.users ?? 3;
    const root = await mkdtemp(join(tmpdir(), 'superimap-courier-'));
    await chmod(root, 0o755);
    await mkdir(join(root, 'run/authdaemon'), { recursive: true });
    await mkdir('/run/courier', { recursive: true }); // the mount point, empty outside the namespace
    // The path as compiled into Debian's libcourierauth (sic), and the one its documentation names.
    await symlink('authdaemon', join(root, 'run/autthdaemon'));
    for (let n = 1; n <= users; n++) {
      for (const dir of ['', '/Maildir', '/Maildir/cur', '/Maildir/new', '/Maildir/tmp']) {
        await mkdir(join(root, `home/user${n}${dir}`), { recursive: true });
        await chown(join(root, `home/user${n}${dir}`), MAIL_UID, MAIL_GID);
      }
    }
    const auth = await startAuthDaemon(join(root, 'run/authdaemon/socket'), (login, password) => {
      const n = Number(/^user(\d+)$/.exec(login)?.[1]);
      if (!(n >= 1 && n <= users) || (password !== undefined && password !== `pw-user${n}`)) return null;
      const home = join(root, `home/user${n}`);
      return { UID: MAIL_UID, GID: MAIL_GID, HOME: home, ADDRESS: login, MAILDIR: join(home, 'Maildir') };
    });
    const [imapPort] = await freePorts(1);
    const marker = `SUPERIMAP_TEST_SERVER=courier-${process.pid}-${randomBytes(4).toString('hex')}`;
    const [name, value] = marker.split('=');
    const tcpd = [
      join(COURIER, 'usr/sbin/couriertcpd'),
      '-address=127.0.0.1',
      '-maxprocs=1000',
      '-maxperip=1000',
      '-nodnslookup',
      '-noidentlookup',
      `-stderr=${join(root, 'courier.log')}`,
      `-pid=${join(root, 'run/couriertcpd.pid')}`,
      String(imapPort),
      join(COURIER, 'usr/lib/courier/courier/imaplogin'),
      join(COURIER, 'usr/bin/imapd'),
      'Maildir',
    ];
    const launcher = spawn(
      'unshare',
      ['--mount', 'sh', '-c', `mount --bind "$1" /run/courier && shift && exec "$@"`, 'sh', join(root, 'run'), ...tcpd],
      {
        env: {
          PATH: process.env.PATH ?? '',
          LD_LIBRARY_PATH: LIBRARY_PATH,
          [name]: value,
          // Enhanced IDLE (pushes within ~1 s) needs gamin's server, found here rather than at its compiled-in path.
          GAMIN_DEBUG_SERVER: join(COURIER, 'usr/libexec/gam_server'),
          GAM_CLIENT_ID: value,
          IMAP_CAPABILITY: 'IMAP4rev1 UIDPLUS CHILDREN NAMESPACE IDLE',
          IMAP_ENHANCEDIDLE: '1',
          IMAP_IDLE_TIMEOUT: '60',
          IMAP_KEYWORDS: '1',
          IMAP_ACL: '0',
          IMAP_USELOCKS: '1',
          IMAP_UMASK: '022',
          IMAP_ULIMITD: '131072',
          IMAP_TRASHFOLDERNAME: 'Trash',
          IMAP_EMPTYTRASH: '',
          IMAP_MOVE_EXPUNGE_TO_TRASH: '0',
          IMAP_SHAREDINDEXFILE: join(root, 'shared-index'),
          MAILDIRPATH: 'Maildir',
        },
        cwd: root,
        stdio: 'ignore',
      },
    );
    const server = new CourierTestServer(root, imapPort, users, marker, auth, launcher);
    server.forgetOnExit = killOnExit(marker);
    try {
      await waitFor('Courier to answer IMAP', () => greets(imapPort, '* OK'), { timeoutMs: 15_000, intervalMs: 25 });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  user(n: number): MailUser {
    if (!(n >= 1 && n <= this.users)) throw new Error(`user(${n}): this server has users 1..${this.users}`);
    return { login: `user${n}`, password: `pw-user${n}`, address: `user${n}@${DOMAIN}` };
  }

  maildir(n: number): string {
    return join(this.root, `home/user${n}/Maildir`);
  }

  /**
   * Delivers with Courier's own deliverquota (tmp/, then new/; the file is named when delivery begins).
   * `holdUntil` holds the second half of the message back until it settles, as a slow sender would.
   */
  async deliver(n: number, raw: Buffer, options: { holdUntil?: Promise<unknown> } = {}): Promise<void> {
    const child = spawn(join(COURIER, 'usr/bin/deliverquota.courier'), [this.maildir(this.checked(n))], {
      env: { LD_LIBRARY_PATH: LIBRARY_PATH },
      uid: MAIL_UID,
      gid: MAIL_GID,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stdin = child.stdin;
    if (options.holdUntil) {
      const half = Math.floor(raw.length / 2);
      stdin.write(raw.subarray(0, half));
      await options.holdUntil.catch(() => undefined);
      stdin.end(raw.subarray(half));
    } else {
      stdin.end(raw);
    }
    const code = await exited;
    if (code !== 0) throw new Error(`deliverquota for user${n} exited with ${code}: ${stderr}`);
  }

  /** Flags from the maildir itself (reading over IMAP would move files from new/ to cur/, even read-only). */
  async flags(n: number): Promise<MaildirMessage[]> {
    const messages: MaildirMessage[] = [];
    for (const folder of ['new', 'cur']) {
      for (const file of await readdir(join(this.maildir(this.checked(n)), folder))) {
        const [name, info = ''] = file.split(':');
        const letters = info.startsWith('2,') ? [...info.slice(2)] : [];
        const flags = letters.map((letter) => MAILDIR_FLAGS[letter]).filter(Boolean);
        if (folder === 'new') flags.push('\\Recent');
        messages.push({ name, flags: flags.sort() });
      }
    }
    return messages.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Courier keeps UIDVALIDITY and UIDs in courierimapuiddb: without it, it numbers the mailbox anew. */
  async changeUidValidity(n: number): Promise<void> {
    await unlink(join(this.maildir(this.checked(n)), 'courierimapuiddb'));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.launcher.exitCode === null && this.launcher.signalCode === null) this.launcher.kill('SIGTERM');
    // couriertcpd daemonizes; its imapd children and gam_server carry the marker in their environment.
    await stopMarkedProcesses(this.marker);
    this.forgetOnExit();
    await new Promise((resolve) => this.auth.close(resolve));
    if (process.env.SUPERIMAP_KEEP_TEST_SERVER_ROOT !== '1') await rm(this.root, { recursive: true, force: true });
  }

  private checked(n: number): number {
    return this.user(n) && n;
  }
}

type AccountLookup = (login: string, password: string | undefined) => Record<string, string | number> | null;

/**
 * Answers courier-authlib's authdaemon protocol: optional `NAME=value` lines (TCPREMOTEIP...), then
 * `AUTH <length>\n<service>\n<type>\n<login>\n<password>\n` or `PRE . <service> <login>\n`; the reply is
 * the account's `NAME=value` lines ending with `.`, or `FAIL`.
 */
async function startAuthDaemon(path: string, lookup: AccountLookup): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('latin1');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const request = parseAuthRequest(buffer);
      if (!request) return;
      const account = lookup(request.login, request.password);
      const reply = account
        ? `${Object.entries(account)
            .map(([key, value]) => `${key}=${value}\n`)
            .join('')}.\n`
        : 'FAIL\n';
      socket.end(reply);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o777);
  return server;
}

function parseAuthRequest(text: string): { login: string; password?: string } | null {
  const pre = /^PRE \S+ \S+ (\S+)\n/m.exec(text);
  if (pre) return { login: pre[1] };
  const auth = /^AUTH (\d+)\n/m.exec(text);
  if (!auth) return null;
  const body = text.slice(auth.index + auth[0].length);
  if (Buffer.byteLength(body, 'latin1') < Number(auth[1])) return null;
  const [, type, login, password] = body.split('\n');
  return type === 'login' ? { login, password } : { login: '', password: '' };
}
