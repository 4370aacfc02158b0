// A local SMTP submission server for tracer tests: checks the AUTH mechanism and credentials like a provider
// would, and hands every accepted message on (e.g. to the test Dovecot over LMTP), as the provider's MTA would.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { SMTPServer, type SMTPServerAuthentication } from 'smtp-server';

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface SmtpTestServerOptions {
  security: SmtpSecurity;
  /** PLAIN logins: username → password. */
  passwords?: Record<string, string>;
  /** XOAUTH2 logins: whether this access token is valid for this user. */
  acceptsAccessToken?: (user: string, token: string) => boolean;
  /** Where accepted messages go. */
  deliver: (recipients: string[], raw: Buffer) => Promise<void>;
}

export interface SmtpAuthentication {
  method: string;
  username: string;
  accepted: boolean;
  /** Whether the session was on TLS (implicit or after STARTTLS) when it authenticated. */
  secure: boolean;
}

export interface SmtpMessage {
  from: string;
  to: string[];
  raw: Buffer;
  authenticatedAs: string;
}

export class SmtpTestServer {
  readonly authentications: SmtpAuthentication[] = [];
  readonly messages: SmtpMessage[] = [];
  /** While true, every connection is answered `421` and closed: the provider's SMTP is down. */
  refusing = false;
  /** While true, messages are accepted but never handed on: they vanish, as lost mail does. */
  swallowing = false;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** The self-signed certificate (give it to the worker as NODE_EXTRA_CA_CERTS); null without TLS. */
    readonly certPath: string | null,
    private readonly dir: string,
  ) {}

  static async start(options: SmtpTestServerOptions): Promise<SmtpTestServer> {
    const dir = await mkdtemp(join(tmpdir(), 'superimap-smtp-'));
    const tls = options.security === 'none' ? null : await selfSignedCertificate(dir);
    // The callbacks below run only once the server listens, by which time `self.instance` is set.
    const self: { instance?: SmtpTestServer } = {};
    const server = new SMTPServer({
      secure: options.security === 'tls',
      ...(tls ? { key: tls.key, cert: tls.cert } : { disabledCommands: ['STARTTLS'] }),
      authMethods: ['PLAIN', 'XOAUTH2'],
      // Like a real provider: no AUTH before TLS, unless this server has no TLS at all.
      allowInsecureAuth: options.security === 'none',
      logger: false,
      onConnect(_session, callback) {
        callback(
          self.instance?.refusing ? Object.assign(new Error('service not available'), { responseCode: 421 }) : null,
        );
      },
      onAuth(auth, session, callback) {
        const accepted = checkAuth(options, auth);
        self.instance?.authentications.push({
          method: auth.method,
          username: auth.username ?? '',
          accepted,
          secure: session.secure,
        });
        if (!accepted) return callback(Object.assign(new Error('authentication failed'), { responseCode: 535 }));
        callback(null, { user: auth.username });
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          self.instance?.messages.push({ from, to, raw, authenticatedAs: String(session.user ?? '') });
          if (self.instance?.swallowing) return callback();
          options.deliver(to, raw).then(
            () => callback(),
            (error: unknown) => callback(Object.assign(new Error(String(error)), { responseCode: 451 })),
          );
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    self.instance = new SmtpTestServer(server, port, tls ? join(dir, 'cert.pem') : null, dir);
    return self.instance;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

function checkAuth(options: SmtpTestServerOptions, auth: SMTPServerAuthentication): boolean {
  const user = auth.username ?? '';
  if (auth.method === 'PLAIN')
    return options.passwords?.[user] !== undefined && options.passwords[user] === auth.password;
  if (auth.method === 'XOAUTH2')
    return Boolean(auth.accessToken && options.acceptsAccessToken?.(user, auth.accessToken));
  return false;
}

/** An EC certificate for 127.0.0.1, generated in a few ms. */
async function selfSignedCertificate(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
  await execFileAsync('openssl', [
    ...'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=127.0.0.1'.split(' '),
    ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  return { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) };
}
