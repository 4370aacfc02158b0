import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import type { MailboxAccount } from './mailbox-account.js';
import { User } from './user.entity.js';

/** Reads watchable mailboxes as plain read models (the imap lib never sees entities or ciphertext). */
@Injectable()
export class MailboxAccounts {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** The account of a watchable user, or null if it is archived, disconnected or gone. */
  async load(userId: string): Promise<MailboxAccount | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection || user.archivedAt || !user.connectedAt) return null;
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
      provider: {
        code: provider.code,
        auth: provider.auth,
        imapHost: provider.imapHost,
        imapPort: provider.imapPort,
        imapSecurity: provider.imapSecurity,
        smtpHost: provider.smtpHost,
        smtpPort: provider.smtpPort,
        smtpSecurity: provider.smtpSecurity,
      },
    };
  }
}
