import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import type { GroupedLookup } from '@app/core';
import type { ImapProvider } from '@app/providers';

import { groupedUserLookup } from './grouped-user-lookup.js';
import type { MailboxAccount, MailboxServer } from './mailbox-account.js';
import { hasCredentials } from './user-status.js';
import { User } from './user.entity.js';

/** What every account of one partner connection has in common. */
type ConnectionFacts = Pick<MailboxAccount, 'partnerId' | 'connectionId' | 'provider'>;

/** Reads watchable mailboxes as plain read models (the imap lib never sees entities or ciphertext). */
@Injectable()
export class MailboxAccounts {
  /**
   * The facts of each connection loaded so far, handed to every account of it: an imap-client holds one
   * account per idle session, thousands of them on a few connections. An entry is reused only while the
   * freshly read rows still say the same, so an edited provider is seen on the next load as before.
   */
  private readonly connections = new Map<string, ConnectionFacts>();
  private readonly users: GroupedLookup<string, User>;

  constructor(@InjectRepository(User) users: Repository<User>) {
    this.users = groupedUserLookup(users, { withConnection: true });
  }

  /** The account of a watchable user, or null if it is archived, disconnected or gone. */
  async load(userId: string): Promise<MailboxAccount | null> {
    const user = await this.users.get(userId);
    if (!user?.connection || user.archivedAt || !hasCredentials(user)) return null;
    const { partnerId, connectionId, provider } = this.connectionFacts(
      user.partnerConnectionId,
      user.connection.partnerId,
      toMailboxServer(user.connection.provider),
    );
    return {
      partnerId,
      connectionId,
      user: {
        id: user.id,
        tag: user.tag,
        email: user.email,
        createdAt: user.createdAt,
        enableTracer: user.enableTracer,
        lastUid: user.lastUid,
        lastUidValidity: user.lastUidValidity,
        lastInternalDate: user.lastInternalDate,
        authFailedAt: user.authFailedAt,
      },
      provider,
    };
  }

  private connectionFacts(connectionId: string, partnerId: string, provider: MailboxServer): ConnectionFacts {
    const known = this.connections.get(connectionId);
    if (known && known.partnerId === partnerId && sameServer(known.provider, provider)) return known;
    const facts = { partnerId, connectionId, provider };
    this.connections.set(connectionId, facts);
    return facts;
  }
}

function sameServer(a: MailboxServer, b: MailboxServer): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof MailboxServer)[]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** The IMAP and SMTP settings of a provider, as every role connects with them. */
export function toMailboxServer(provider: ImapProvider): MailboxServer {
  return {
    code: provider.code,
    auth: provider.auth,
    imapHost: provider.imapHost,
    imapPort: provider.imapPort,
    imapSecurity: provider.imapSecurity,
    smtpHost: provider.smtpHost,
    smtpPort: provider.smtpPort,
    smtpSecurity: provider.smtpSecurity,
    tlsCa: provider.tlsCa,
    tlsInsecure: provider.tlsInsecure,
  };
}
