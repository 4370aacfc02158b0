import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';

import { HotQueries } from '@app/core';

import { User } from './user.entity.js';

/** Who an event is about, as the webhook payload names them. */
export interface DeliveryTarget {
  tag: string;
  email: string | null;
  providerCode: string;
  enableTracer: boolean;
}

/** Whose mailbox a connect or disconnect link is for. */
export interface LinkTarget {
  userId: string;
  tag: string;
  email: string | null;
  partnerId: string;
  connectionId: string;
  providerCode: string;
  connected: boolean;
  archived: boolean;
}

/** A delivery target's columns as `deliveryTargetSql` gives them (all null when there is no such user). */
export interface DeliveryTargetColumns {
  target_tag: string | null;
  target_email: string | null;
  target_enable_tracer: boolean | null;
  target_provider_code: string | null;
}

/** The target of the user whose id the SQL expression `userId` gives: one row of DeliveryTargetColumns. */
function deliveryTargetSql(userId: string): string {
  return `SELECT u.tag AS target_tag, u.email AS target_email, u.enable_tracer AS target_enable_tracer,
       p.code AS target_provider_code
  FROM users u
  JOIN partner_connections c ON c.id = u.partner_connection_id
  JOIN imap_providers p ON p.id = c.imap_provider_id
 WHERE u.id = ${userId}`;
}

const DELIVERY_TARGET_SQL = deliveryTargetSql('$1');

/** How other libs name users (tags, delivery targets) without reading the users table themselves. */
@Injectable()
export class UserDirectory {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hot: HotQueries,
  ) {}

  /** The delivery target of a user, or null if the user is gone. */
  async deliveryTarget(userId: string): Promise<DeliveryTarget | null> {
    const [row] = await this.hot.rows<DeliveryTargetColumns>(DELIVERY_TARGET_SQL, [userId]);
    return row ? this.deliveryTargetFrom(row) : null;
  }

  /**
   * The delivery target read as part of a caller's larger statement (a webhook delivery reads its event,
   * user and partner in one): a subquery to join LATERAL, for the user id the SQL expression `userId` gives.
   */
  deliveryTargetSql(userId: string): string {
    return deliveryTargetSql(userId);
  }

  /** The target from the columns of `deliveryTargetSql`, or null when they found no user. */
  deliveryTargetFrom(row: DeliveryTargetColumns): DeliveryTarget | null {
    if (row.target_tag === null || row.target_provider_code === null) return null;
    return {
      tag: row.target_tag,
      email: row.target_email,
      providerCode: row.target_provider_code,
      enableTracer: row.target_enable_tracer ?? false,
    };
  }

  /** Whether tracers are on for this user now (false if the user is gone). */
  async tracerEnabled(userId: string): Promise<boolean> {
    const user = await this.users.findOne({ select: { id: true, enableTracer: true }, where: { id: userId } });
    return user?.enableTracer ?? false;
  }

  async linkTarget(userId: string): Promise<LinkTarget | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection) return null;
    return {
      userId: user.id,
      tag: user.tag,
      email: user.email,
      partnerId: user.connection.partnerId,
      connectionId: user.partnerConnectionId,
      providerCode: user.connection.provider.code,
      connected: user.connectedAt !== null,
      archived: user.archivedAt !== null,
    };
  }

  async tagsOf(userIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    const users = await this.users.find({ select: { id: true, tag: true }, where: { id: In(ids) } });
    return new Map(users.map((user) => [user.id, user.tag]));
  }

  /** Every user of the partner with this tag (case-insensitively; archived ones too), in any connection. */
  async idsWithTag(partnerId: string, tag: string): Promise<string[]> {
    const rows = await this.users
      .createQueryBuilder('u')
      .innerJoin('u.connection', 'c')
      .select('u.id', 'id')
      .where('c.partner_id = :partnerId', { partnerId })
      .andWhere('lower(u.tag) = lower(:tag)', { tag })
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /** The number of users that are not archived, per connection. */
  async activeCounts(connectionIds: string[]): Promise<Map<string, number>> {
    if (connectionIds.length === 0) return new Map();
    const rows = await this.users
      .createQueryBuilder('u')
      .select('u.partner_connection_id', 'id')
      .addSelect('count(*)', 'count')
      .where('u.partner_connection_id IN (:...connectionIds)', { connectionIds })
      .andWhere('u.archived_at IS NULL')
      .groupBy('u.partner_connection_id')
      .getRawMany<{ id: string; count: string }>();
    return new Map(rows.map((row) => [row.id, Number(row.count)]));
  }
}
