import { Injectable } from '@nestjs/common';
import { ImapFlow, type ImapFlowOptions, type MailboxObject } from 'imapflow';

import { AppConfig } from '@app/core';
import { type MailboxAccount, type MailboxLogin, type MailboxServer, UserCredentials } from '@app/users';

import { imapResponseLimits } from '../session/bounded-fetch.js';
import { classifyFailure } from '../session/reconnect-policy.js';

/** A logged-in connection with the watched folder open. */
export interface OpenedMailbox {
  client: ImapFlow;
  mailbox: MailboxObject;
  /** Settles when the connection closes, with the error that closed it (none when it simply ended). */
  closed: Promise<Error | undefined>;
}

export type LoginCheck = { ok: true } | { ok: false; authFailed: boolean; reason: string };

/** What a connection logs through: a pino logger, or a session's MailboxLog. */
export interface ConnectionLog {
  debug(detail: object, message?: string): void;
  isLevelEnabled(level: 'debug'): boolean;
}

const GMAIL_HOSTS = /(^|\.)(gmail|googlemail)\.com$/i;

/**
 * Idle time before TCP keepalive probes on a watching connection. imapflow sets 5 s, and with libuv's probe
 * every second, ten lost in a row drop the connection: at 100,000 connections that is 20,000 probes a
 * second, enough to overflow a host's packet backlog and time out connections to a server that is fine.
 * A minute still keeps NAT mappings open; a server that is gone is found by the socket timeout's NOOP.
 */
const WATCH_KEEPALIVE_MS = 60_000;

/**
 * Opens IMAP connections for any role: the imap-client's sessions, the connect form's login check,
 * tracers and backfill. Knows how to reach a provider and how a mailbox logs in; holds no connection itself.
 */
@Injectable()
export class ImapConnector {
  constructor(
    private readonly credentials: UserCredentials,
    private readonly config: AppConfig,
  ) {}

  /**
   * Connects as the account and opens its watched folder. Aborting `signal` closes the connection at any
   * point, so a caller that stops while this is pending never leaks it.
   */
  async open(account: MailboxAccount, logger: ConnectionLog, signal?: AbortSignal): Promise<OpenedMailbox> {
    const login = await this.credentials.loginFor(account);
    const client = new ImapFlow(imapFlowOptions(account.provider, login, this.config, logger));
    // Errors also close the connection; the owner learns of it (and of the first error) through `closed`.
    let firstError: Error | undefined;
    client.on('error', (error: Error) => {
      firstError ??= error;
      logger.debug({ err: error }, 'imap connection error');
    });
    // Listened for before anything can close it.
    const closed = new Promise<Error | undefined>((resolve) => client.once('close', () => resolve(firstError)));
    const abort = () => client.close();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) throw new Error('stopped');
      await client.connect();
      relaxKeepAlive(client);
      // Read-write (SELECT): Courier saves UIDs only for read-write sessions and renumbers unsaved mail under
      // EXAMINE. Nothing is changed: bodies are read with BODY.PEEK, and no flag is stored, nothing expunged.
      const mailbox = await client.mailboxOpen(await watchedFolder(client, account.provider));
      return { client, mailbox, closed };
    } catch (error) {
      client.close();
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /** Whether these credentials log in to the server (e.g. before a connect form saves them); never keeps the connection. */
  async verifyLogin(server: MailboxServer, login: MailboxLogin): Promise<LoginCheck> {
    const client = new ImapFlow(imapFlowOptions(server, login, this.config));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.logout().catch(() => undefined);
      return { ok: true };
    } catch (error) {
      const failure = classifyFailure(error);
      return { ok: false, authFailed: failure.kind === 'auth', reason: failure.reason };
    } finally {
      client.close();
    }
  }
}

/**
 * ImapFlow settings for a provider and login: transport security (and the provider's own CA), timeouts, IDLE
 * as soon as idle, and parser limits that keep a hostile server from making the client buffer gigabytes.
 */
export function imapFlowOptions(
  server: MailboxServer,
  login: MailboxLogin,
  config: AppConfig,
  logger?: ConnectionLog,
): ImapFlowOptions {
  return {
    host: server.imapHost,
    port: server.imapPort,
    secure: server.imapSecurity === 'tls',
    doSTARTTLS: server.imapSecurity === 'starttls' ? true : server.imapSecurity === 'none' ? false : undefined,
    auth: login,
    logger: logger?.isLevelEnabled('debug') ? imapCommandLog(logger) : false,
    clientInfo: { name: 'SuperIMAP' },
    // IDLE as soon as the connection is free, or new mail would wait for imapflow's 15 s default.
    autoIdleDelay: 0,
    maxIdleTime: config.IDLE_RESTART_INTERVAL * 1000,
    socketTimeout: config.IMAP_SOCKET_TIMEOUT * 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    disableCompression: true,
    ...imapResponseLimits(config.MAX_EMAIL_SIZE),
    ...tlsTrust(server, config),
  };
}

/** A provider's own CA bundle, or (outside production only) no certificate check at all. */
function tlsTrust(server: MailboxServer, config: AppConfig): Pick<ImapFlowOptions, 'tls'> {
  const insecure = server.tlsInsecure === true && !config.isProduction;
  if (!server.tlsCa && !insecure) return {};
  return { tls: { ...(server.tlsCa ? { ca: server.tlsCa } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) } };
}

/**
 * At LOG_LEVEL=debug, the session's IMAP commands and responses (imapflow's own log, all at debug). imapflow
 * masks credentials itself; the redaction paths of the root logger catch any that are passed as fields.
 */
function imapCommandLog(logger: ConnectionLog): NonNullable<ImapFlowOptions['logger']> {
  const write = (entry: object) => logger.debug({ component: 'imapflow', ...entry });
  return { debug: write, info: write, warn: write, error: write };
}

/** Replaces imapflow's 5-s keepalive on the connected socket (set again by it only on connect or STARTTLS). */
function relaxKeepAlive(client: ImapFlow): void {
  const { socket } = client as unknown as { socket?: { setKeepAlive?: (enable: boolean, delayMs: number) => void } };
  socket?.setKeepAlive?.(true, WATCH_KEEPALIVE_MS);
}

/** Gmail keeps every message in All Mail (`\All`); elsewhere new mail arrives in INBOX. */
async function watchedFolder(client: ImapFlow, server: MailboxServer): Promise<string> {
  if (!GMAIL_HOSTS.test(server.imapHost)) return 'INBOX';
  const all = (await client.list()).find((folder) => folder.specialUse === '\\All');
  return all?.path ?? 'INBOX';
}
