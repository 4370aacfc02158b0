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
