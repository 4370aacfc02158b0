import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';

import { isUuid } from '@app/core';
import { hasCredentials, MailboxAccounts, UsersService } from '@app/users';

import { ImapErrors } from '../imap.errors.js';
import { type BackfillRange, parseBackfillRange } from './backfill-plan.js';
import { Backfill } from './backfill.entity.js';

export interface BackfillInput {
  since?: unknown;
  until?: unknown;
}

const UNFINISHED = ['pending', 'running'] as const;
const UNIQUE_VIOLATION = '23505';

/**
 * Asking for, reading and cancelling backfills, for partners (by connection and tag) and operators (by user
 * id). Only writes the request; the imap-client owning the mailbox does the work (BackfillScheduler).
 */
@Injectable()
export class BackfillRequests {
  constructor(
    @InjectRepository(Backfill) private readonly backfills: Repository<Backfill>,
    private readonly users: UsersService,
    private readonly accounts: MailboxAccounts,
  ) {}

  async request(partnerId: string, code: string, tag: string, input: BackfillInput): Promise<Backfill> {
    const range = parseBackfillRange(input);
    const user = await this.users.get(partnerId, code, tag);
    return this.create(partnerId, user, range);
  }

  async get(partnerId: string, code: string, tag: string, id: string): Promise<Backfill> {
    const user = await this.users.get(partnerId, code, tag);
    return this.find(id, { userId: user.id, partnerId });
  }

  /** Cancels an unfinished backfill (its run stops before its next message); a finished one is left as it is. */
  async cancel(partnerId: string, code: string, tag: string, id: string): Promise<Backfill> {
    const user = await this.users.get(partnerId, code, tag);
    return this.cancelFound(await this.find(id, { userId: user.id, partnerId }));
  }

  /** An operator's request for any user (admin page, CLI). */
  async requestForUser(userId: string, input: BackfillInput): Promise<Backfill> {
    const range = parseBackfillRange(input);
    const user = await this.users.getById(userId);
    assertConnected(user);
    const account = await this.accounts.load(userId);
    if (!account) throw ImapErrors.userNotConnected(user.tag, 'the user is not watchable');
    return this.create(account.partnerId, user, range);
  }

  async getForUser(userId: string, id: string): Promise<Backfill> {
    return this.find(id, { userId });
  }

  async cancelForUser(userId: string, id: string): Promise<Backfill> {
    return this.cancelFound(await this.find(id, { userId }));
  }

  /** A user's latest backfills, newest first. */
  async recentForUser(userId: string, limit = 10): Promise<Backfill[]> {
    return this.backfills.find({ where: { userId }, order: { createdAt: 'DESC' }, take: limit });
  }

  private async create(partnerId: string, user: UserRow, range: BackfillRange): Promise<Backfill> {
    assertConnected(user);
    const row = this.backfills.create({
      id: randomUUID(),
      partnerId,
      userId: user.id,
      since: range.since,
      until: range.until,
      status: 'pending',
      found: 0,
      delivered: 0,
      skipped: 0,
    });
    try {
      return await this.backfills.save(row);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const running = await this.backfills.findOneBy({ userId: user.id, status: In([...UNFINISHED]) });
      throw ImapErrors.backfillInProgress(running?.id ?? 'unknown');
    }
  }

  private async cancelFound(backfill: Backfill): Promise<Backfill> {
    await this.backfills.update(
      { id: backfill.id, status: In([...UNFINISHED]) },
      { status: 'cancelled', claim: null, finishedAt: new Date() },
    );
    return this.find(backfill.id, { userId: backfill.userId });
  }

  private async find(id: string, scope: { userId: string; partnerId?: string }): Promise<Backfill> {
    if (!isUuid(id)) throw ImapErrors.backfillNotFound(id);
    const backfill = await this.backfills.findOneBy({ id, ...scope });
    if (!backfill) throw ImapErrors.backfillNotFound(id);
    return backfill;
  }
}

type UserRow = Awaited<ReturnType<UsersService['getById']>>;

/** Only a mailbox that is watched, and was reached at least once, can be swept. */
function assertConnected(user: UserRow): void {
  if (user.archivedAt) throw ImapErrors.userNotConnected(user.tag, 'the user is archived');
  if (!hasCredentials(user)) throw ImapErrors.userNotConnected(user.tag, 'the user has no credentials');
  if (!user.connectedAt) throw ImapErrors.userNotConnected(user.tag, 'its mailbox has not been reached yet');
}
