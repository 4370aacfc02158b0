import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { type KeysetPage, keysetPage } from '@app/core';

import { AdminAuditEntry, type AuditDetails } from './admin-audit-entry.entity.js';
import { Clock } from './clock.js';

export interface AuditRecord {
  adminUserId?: string | null;
  actorEmail?: string | null;
  action: string;
  outcome?: string;
  target?: string | null;
  ip?: string | null;
  details?: AuditDetails;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  outcome?: string;
}

/** Longest text kept from a form field, so a pasted novel (or password) in the email field stays short. */
const MAX_TEXT = 320;

/** The admin audit log: written for every sign-in attempt and admin action, read by its page. */
@Injectable()
export class AuditLog {
  constructor(
    @InjectRepository(AdminAuditEntry) private readonly entries: Repository<AdminAuditEntry>,
    private readonly clock: Clock,
  ) {}

  async record(record: AuditRecord): Promise<void> {
    await this.entries.insert(
      this.entries.create({
        id: randomUUID(),
        adminUserId: record.adminUserId ?? null,
        actorEmail: record.actorEmail?.slice(0, MAX_TEXT) ?? null,
        action: record.action,
        outcome: record.outcome ?? 'success',
        target: record.target?.slice(0, MAX_TEXT) ?? null,
        ip: record.ip ?? null,
        details: record.details ?? {},
        createdAt: this.clock.now(),
      }),
    );
  }

  /** Failed sign-ins from one address since a moment: what the per-address throttle counts. */
  async failedSignInsFrom(ip: string, since: Date): Promise<number> {
    return this.entries
      .createQueryBuilder('entry')
      .where("entry.action = 'sign_in' AND entry.outcome <> 'success'")
      .andWhere('entry.ip = :ip AND entry.created_at > :since', { ip, since })
      .getCount();
  }

  /**
   * Refused sign-ins (wrong password, unknown or locked account) from one address since a moment or its last
   * successful sign-in, whichever is later: what the growing delay counts. Refusals for throttling or the delay
   * itself do not count, so waiting out a delay is enough.
   */
  async failuresSinceLastSuccess(ip: string, since: Date): Promise<{ count: number; lastAt: Date | null }> {
    const [row] = await this.entries.query<{ count: string; last_at: Date | null }[]>(
      `SELECT count(*) AS count, max(created_at) AS last_at FROM admin_audit_log
        WHERE action = 'sign_in' AND outcome IN ('wrong_password', 'unknown_account', 'locked') AND ip = $1
          AND created_at > GREATEST($2::timestamptz, (SELECT max(created_at) FROM admin_audit_log
            WHERE action = 'sign_in' AND outcome = 'success' AND ip = $1 AND created_at > $2::timestamptz))`,
      [ip, since],
    );
    return { count: Number(row?.count ?? 0), lastAt: row?.last_at ?? null };
  }

  /** Newest first. */
  async page(
    filter: AuditFilter,
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<AdminAuditEntry, object>> {
    const builder = this.entries.createQueryBuilder('entry');
    if (filter.action) builder.andWhere('entry.action = :action', { action: filter.action });
    if (filter.outcome) builder.andWhere('entry.outcome = :outcome', { outcome: filter.outcome });
    if (filter.actor) builder.andWhere('lower(entry.actor_email) = lower(:actor)', { actor: filter.actor });
    return keysetPage(builder, 'entry', query, 'DESC');
  }
}
