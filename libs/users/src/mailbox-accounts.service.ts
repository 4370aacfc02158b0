import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import type { ImapProvider } from '@app/providers';

import type { MailboxAccount, MailboxServer } from './mailbox-account.js';
import { hasCredentials } from './user-status.js';
import { User } from './user.entity.js';

/** Reads watchable mailboxes as plain read models (the imap lib never sees entities or ciphertext). */
@Injectable()
export class MailboxAccounts {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** The account of a watchable user, or null if it is archived, disconnected or gone. */
  async load(userId: string): Promise<MailboxAccount | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection || user.archivedAt || !hasCredentials(user)) return null;
    const { provider } = user.connection;
    return {
      partnerId: user.connection.partnerId,
      connectionId: user.partnerConnectionId,
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
      provider: toMailboxServer(provider),
    };
  }
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
