import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { MailboxAccounts } from '@app/users';
import { EventBodySource, type RetainedMessageRef } from '@app/webhooks';

import { ImapConnector } from '../connector/imap-connector.js';
import { ImapErrors } from '../imap.errors.js';
import { fetchSourceAtMost } from '../session/bounded-fetch.js';

/**
 * Reads a delivered message again by UID for a redelivery after its body was dropped: only while the
 * mailbox keeps the same UIDVALIDITY (a UID then names one message forever), and only if the bytes are
 * the ones delivered before. One short connection, closed at once.
 */
@Injectable()
export class MailboxMessageRefetch extends EventBodySource {
  private readonly logger: Logger;

  constructor(
    private readonly accounts: MailboxAccounts,
    private readonly connector: ImapConnector,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'refetch' });
  }

  async refetch(message: RetainedMessageRef): Promise<Buffer> {
    if (!Number.isInteger(message.uid) || !Number.isInteger(message.uidValidity)) {
      throw ImapErrors.messageGone('the event does not name a UID');
    }
    const account = await this.accounts.load(message.userId);
    if (!account) throw ImapErrors.messageGone('the user is archived or has no credentials');
    const opened = await this.connector.open(account, this.logger).catch((error: unknown) => {
      this.logger.warn({ err: error, event: message.eventId }, 'could not open the mailbox to read a message again');
      throw ImapErrors.messageGone('the mailbox could not be opened');
    });
    const { client, mailbox } = opened;
    try {
      if (Number(mailbox.uidValidity) !== message.uidValidity) {
        throw ImapErrors.messageGone('the mailbox was renumbered (UIDVALIDITY changed)');
      }
      const source = await fetchSourceAtMost(client, message.uid, this.config.MAX_EMAIL_SIZE).catch(() => {
        throw ImapErrors.messageGone(`no message with UID ${message.uid} in the mailbox any more`);
      });
      if (!source) throw ImapErrors.messageGone('the message is now larger than MAX_EMAIL_SIZE');
      if (message.sha1 && createHash('sha1').update(source).digest('hex') !== message.sha1) {
        throw ImapErrors.messageGone('the message with this UID is not the one delivered');
      }
      return source;
    } finally {
      if (client.usable) await client.logout().catch(() => undefined);
      client.close();
    }
  }
}
