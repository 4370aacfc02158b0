import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository, SelectQueryBuilder } from 'typeorm';

import { apiState, apiStateCondition, type ApiUserState, HAS_CREDENTIALS_SQL } from './user-status.js';
import { User } from './user.entity.js';

export interface OperatorUserFilter {
  partnerId?: string;
  providerCode?: string;
  tag?: string;
  state?: ApiUserState;
}

/** A user as an operator sees it across partners; never a credential. */
export interface OperatorUserView {
  id: string;
  partner_id: string;
  connection: string;
  tag: string;
  email: string | null;
  state: ApiUserState;
  last_error: string | null;
  connected_at: Date | null;
  last_login_at: Date | null;
  last_email_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
}

const LIST_LIMIT = 1000;

/** Users across every partner, for the operator's CLI (the partner API sees one partner's only). */
@Injectable()
export class OperatorUsersQuery {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async list(filter: OperatorUserFilter): Promise<OperatorUserView[]> {
    const rows = await this.filtered(filter).orderBy('u.created_at', 'ASC').take(LIST_LIMIT).getMany();
    return rows.map(view);
  }

  /** How many users are in each state, per partner and connection. */
  async stateSummary(filter: OperatorUserFilter): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const user of await this.filtered(filter).getMany()) {
      const state = apiState(user);
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  /** How many users are in each API state, counted in one aggregate (the admin dashboard). */
  async stateCounts(): Promise<Partial<Record<ApiUserState, number>>> {
    const state = `CASE WHEN u.archived_at IS NOT NULL THEN 'archived'
      WHEN NOT ${HAS_CREDENTIALS_SQL.replace(/\b(login_username|login_password|email|oauth2_refresh_token)\b/g, 'u.$1')}
      THEN 'needs_credentials' ELSE u.state END`;
    const rows = await this.users
      .createQueryBuilder('u')
      .select(state, 'state')
      .addSelect('count(*)', 'count')
      .groupBy('1')
      .getRawMany<{ state: ApiUserState; count: string }>();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  private filtered(filter: OperatorUserFilter): SelectQueryBuilder<User> {
    const builder = this.users
      .createQueryBuilder('u')
      .innerJoinAndSelect('u.connection', 'c')
      .innerJoinAndSelect('c.provider', 'p');
    if (filter.partnerId) builder.andWhere('c.partner_id = :partnerId', { partnerId: filter.partnerId });
    if (filter.providerCode) builder.andWhere('p.code = :code', { code: filter.providerCode });
    if (filter.tag) builder.andWhere('lower(u.tag) = lower(:tag)', { tag: filter.tag });
    if (filter.state) builder.andWhere(apiStateCondition(filter.state), { state: filter.state });
    return builder;
  }
}

function view(user: User): OperatorUserView {
  return {
    id: user.id,
    partner_id: user.connection!.partnerId,
    connection: user.connection!.provider.code,
    tag: user.tag,
    email: user.email,
    state: apiState(user),
    last_error: user.lastError,
    connected_at: user.connectedAt,
    last_login_at: user.lastLoginAt,
    last_email_at: user.lastEmailAt,
    archived_at: user.archivedAt,
    created_at: user.createdAt,
  };
}
