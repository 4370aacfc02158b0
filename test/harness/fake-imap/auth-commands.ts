// LOGIN and AUTHENTICATE (PLAIN, XOAUTH2). Both end in attemptLogin, where the `LOGIN`
// fault rules strike: only there is the user known, which per-user rules need.

import { ImapSyntaxError, tokenText, type ParsedCommand } from './imap-parser.js';
import type { ImapSession } from './imap-session.js';

const AUTH_FAILED = '[AUTHENTICATIONFAILED] Authentication failed.';
// What Gmail sends as the SASL challenge when an XOAUTH2 token is refused
const XOAUTH2_ERROR = Buffer.from(
  JSON.stringify({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' }),
).toString('base64');

type CredentialCheck = () => boolean | Promise<boolean>;

export function login(session: ImapSession, { tag, args }: ParsedCommand): void {
  if (args.length !== 2) throw new ImapSyntaxError('LOGIN expects a user name and a password.');
  const username = tokenText(args[0]);
  const password = tokenText(args[1]);
  session.host.stats.countCommand(username, 'LOGIN');
  attemptLogin(
    session,
    tag,
    'LOGIN',
    username,
    () => session.host.store.account(username)?.password === password,
    false,
  );
}

export function authenticate(session: ImapSession, { tag, args }: ParsedCommand): void {
  const { behavior, stats } = session.host;
  const mechanism = tokenText(args[0]).toUpperCase();
  const offered =
    (mechanism === 'PLAIN' && behavior.authPlain) || (mechanism === 'XOAUTH2' && behavior.xoauth2 !== null);
  if (!offered) {
    stats.countCommand(undefined, 'AUTHENTICATE');
    return session.complete(tag, 'NO', `[CANNOT] Unsupported authentication mechanism ${mechanism}.`);
  }
  if (args[1]) return saslResponse(session, tag, mechanism, tokenText(args[1])); // SASL-IR
  session.saslPending = { tag, mechanism, failed: false };
  session.write('+ \r\n');
}

/** The client's line after a "+" challenge. */
export function continueSasl(session: ImapSession, bytes: Buffer): void {
  const pending = session.saslPending;
  session.saslPending = null;
  if (!pending) return;
  const line = bytes.toString('latin1').trim();
  // After a refused XOAUTH2 token the client answers the error challenge with an empty line
  if (pending.failed) return session.complete(pending.tag, 'NO', AUTH_FAILED);
  if (line === '*') {
    session.host.stats.countCommand(undefined, 'AUTHENTICATE');
    return session.complete(pending.tag, 'BAD', 'Authentication cancelled.');
  }
  saslResponse(session, pending.tag, pending.mechanism, line);
}

function saslResponse(session: ImapSession, tag: string, mechanism: string, base64: string): void {
  const { stats, store, behavior } = session.host;
  const decoded = Buffer.from(base64 === '=' ? '' : base64, 'base64').toString('utf8');
  if (mechanism === 'PLAIN') {
    const [, username = '', password = ''] = decoded.split('\0');
    stats.countCommand(username, 'AUTHENTICATE');
    return attemptLogin(
      session,
      tag,
      'AUTHENTICATE',
      username,
      () => store.account(username)?.password === password,
      false,
    );
  }
  // XOAUTH2: "user=<user>\x01auth=Bearer <token>\x01\x01"
  const fields = new Map(
    decoded
      .split('\x01')
      .filter((field) => field.includes('='))
      .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]),
  );
  const username = fields.get('user') ?? '';
  const token = (fields.get('auth') ?? '').replace(/^Bearer\s+/i, '');
  stats.countCommand(username, 'AUTHENTICATE');
  const checkToken = behavior.xoauth2;
  attemptLogin(
    session,
    tag,
    'AUTHENTICATE',
    username,
    () => !!store.account(username) && !!checkToken && checkToken(username, token),
    true,
  );
}

function attemptLogin(
  session: ImapSession,
  tag: string,
  command: 'LOGIN' | 'AUTHENTICATE',
  username: string,
  check: CredentialCheck,
  xoauth2: boolean,
): void {
  const { faults, stats, behavior } = session.host;
  const fault = faults.take(command, username);
  if (fault?.at === 'start' && (fault.action.type === 'bad' || fault.action.type === 'no')) stats.loginFailed(username);
  session.withFault(tag, fault, username, () => {
    const verdict = behavior.authFailText === null && check();
    if (verdict instanceof Promise) session.pauseFor(verdict, (ok) => finishLogin(session, tag, username, ok, xoauth2));
    else finishLogin(session, tag, username, verdict, xoauth2);
  });
}

function finishLogin(session: ImapSession, tag: string, username: string, ok: boolean, xoauth2: boolean): void {
  const { stats, store, behavior } = session.host;
  const account = ok ? store.account(username) : undefined;
  if (!account) {
    stats.loginFailed(username);
    if (xoauth2 && behavior.authFailText === null) {
      session.saslPending = { tag, mechanism: 'XOAUTH2', failed: true };
      return session.write(`+ ${XOAUTH2_ERROR}\r\n`);
    }
    return session.complete(tag, 'NO', behavior.authFailText ?? AUTH_FAILED);
  }
  session.account = account;
  session.state = 'authenticated';
  stats.loginSucceeded(username);
  session.complete(tag, 'OK', `[CAPABILITY ${session.capabilities()}] Logged in.`);
}
