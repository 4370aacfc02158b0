import type { INestApplicationContext } from '@nestjs/common';

import { type MailboxAccount, MailboxAccounts } from '@app/users';

import type { FakeImapServer } from '../harness/fake-imap/index.js';
import { TestRows } from './factories.js';

export interface WatchedMailbox {
  userId: string;
  username: string;
}

/**
 * `count` connected users of one partner on a provider pointing at `server`, each with an account on
 * the fake IMAP server (password "secret").
 */
export async function mailboxesOn(
  node: INestApplicationContext,
  server: FakeImapServer,
  count: number,
  options: { newMailWebhook?: string | null; createdAt?: Date } = {},
): Promise<{ partnerId: string; mailboxes: WatchedMailbox[] }> {
  const rows = new TestRows(node);
  const partnerId = await rows.partner(options.newMailWebhook ?? null);
  const provider = await rows.provider(server.port);
  const connectionId = await rows.connection(partnerId, provider.id);
  const mailboxes: WatchedMailbox[] = [];
  for (let i = 0; i < count; i++) {
    const mailbox = await rows.user(connectionId, { createdAt: options.createdAt });
    server.addUser(mailbox.username, 'secret');
    mailboxes.push(mailbox);
  }
  return { partnerId, mailboxes };
}

/**
 * The read model the new-mail pipeline takes for a user (today MailboxAccounts.load); one place to
 * change when the users lib's API does.
 */
export async function accountOf(node: INestApplicationContext, userId: string): Promise<MailboxAccount> {
  const account = await node.get(MailboxAccounts).load(userId);
  if (!account) throw new Error(`user ${userId} is not watchable`);
  return account;
}
