import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import { ROOT_LOGGER, type TracerSendJob } from '@app/core';
import { type MailboxAccount, MailboxAccounts, type MailboxLogin, UserCredentials } from '@app/users';

import { TracerLog } from '../tracer-log.entity.js';
import { TracerMetrics } from '../tracer-metrics.service.js';
import { newTracerToken, TRACER_HEADER, tracerSubject } from '../tracer-token.js';
import { smtpTransportOptions } from './smtp-transport-options.js';

export type RoundOutcome = 'sent' | 'partly_sent' | 'failed' | 'already_ran' | 'user_gone' | 'tracers_off' | 'no_smtp';

interface RoundTracer {
  id: string;
  token: string;
}

/** Longest error text kept in a tracer log. */
const MAX_ERROR_LENGTH = 500;

/**
 * Sends one round of tracers to a mailbox over its provider's SMTP, with the mailbox's own login. Each
 * tracer's log is written before it is sent, and a round's logs are written at most once (unique round and
 * sequence), so a round queued twice or re-run after a crash never sends twice. SMTP errors end up in the logs.
 */
@Injectable()
export class TracerSender {
  private readonly logger: Logger;

  constructor(
    @InjectRepository(TracerLog) private readonly logs: Repository<TracerLog>,
    private readonly accounts: MailboxAccounts,
    private readonly credentials: UserCredentials,
    private readonly metrics: TracerMetrics,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'tracers' });
  }

  async sendRound(job: TracerSendJob): Promise<RoundOutcome> {
    const account = await this.accounts.load(job.userId);
    if (!account) return 'user_gone';
    if (!account.user.enableTracer) return 'tracers_off';
    if (!account.provider.smtpHost || !account.provider.smtpPort) {
      this.logger.warn({ userId: job.userId, provider: account.provider.code }, 'tracer user without SMTP settings');
      return 'no_smtp';
    }
    const tracers = await this.writeLogs(job);
    if (tracers.length === 0) return 'already_ran';

    let login: MailboxLogin;
    try {
      login = await this.credentials.loginFor(account);
    } catch (error) {
      await this.failAll(account, tracers, `no login for SMTP: ${errorText(error)}`);
      return 'failed';
    }
    const address = account.user.email ?? (login.user.includes('@') ? login.user : null);
    if (!address) {
      await this.failAll(account, tracers, 'the mailbox has no email address to send the tracer to');
      return 'failed';
    }

    // Imported on first use: every role loads this module (through TracersModule), only the worker sends.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport(smtpTransportOptions(account.provider, login));
    let sent = 0;
    try {
      for (const tracer of tracers) {
        if (await this.sendOne(transport, account, address, tracer)) sent++;
      }
    } finally {
      transport.close();
    }
    this.logger.info(
      { userId: account.user.id, tag: account.user.tag, provider: account.provider.code, sent, of: tracers.length },
      'tracer round sent',
    );
    return sent === tracers.length ? 'sent' : sent === 0 ? 'failed' : 'partly_sent';
  }

  /** Writes the round's logs in one statement; returns those this call wrote (none if the round already ran). */
  private async writeLogs(job: TracerSendJob): Promise<RoundTracer[]> {
    const rows = Array.from({ length: job.count }, (_, index) => ({
      id: randomUUID(),
      userId: job.userId,
      roundId: job.roundId,
      seq: index + 1,
      token: newTracerToken(),
      status: 'pending' as const,
      error: null,
      sentAt: null,
      detectedAt: null,
    }));
    if (rows.length === 0) return [];
    const result = await this.logs
      .createQueryBuilder()
      .insert()
      .into(TracerLog)
      .values(rows)
      .orIgnore()
      .returning(['id', 'token', 'seq'])
      .execute();
    const written = result.raw as { id: string; token: string; seq: number }[];
    return written.sort((a, b) => a.seq - b.seq).map(({ id, token }) => ({ id, token }));
  }

  private async sendOne(
    transport: Transporter,
    account: MailboxAccount,
    address: string,
    tracer: RoundTracer,
  ): Promise<boolean> {
    // Latency runs from the moment the tracer is handed over: stamped before, as it may arrive before we return.
    const sentAt = new Date();
    await this.logs.update({ id: tracer.id }, { sentAt });
    try {
      await transport.sendMail({
        from: address,
        to: address,
        subject: tracerSubject(tracer.token),
        headers: { [TRACER_HEADER]: tracer.token },
        text: `SuperIMAP tracer ${tracer.token}, sent ${sentAt.toISOString()} to measure end-to-end mail latency.`,
      });
      await this.logs.update({ id: tracer.id, status: 'pending' }, { status: 'sent' });
      this.metrics.recordSent(account.provider.code, 'sent');
      return true;
    } catch (error) {
      await this.logs.update({ id: tracer.id, status: 'pending' }, { status: 'failed', error: errorText(error) });
      this.metrics.recordSent(account.provider.code, 'failed');
      this.logger.warn(
        { err: error, userId: account.user.id, tag: account.user.tag, provider: account.provider.code },
        'tracer not sent',
      );
      return false;
    }
  }

  private async failAll(account: MailboxAccount, tracers: RoundTracer[], error: string): Promise<void> {
    for (const tracer of tracers) {
      await this.logs.update({ id: tracer.id }, { status: 'failed', error: error.slice(0, MAX_ERROR_LENGTH) });
      this.metrics.recordSent(account.provider.code, 'failed');
    }
    this.logger.warn({ userId: account.user.id, provider: account.provider.code, error }, 'tracer round failed');
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}
