import { randomBytes } from 'node:crypto';

import { FakeImapServer, type FakeImapServerOptions } from '../harness/fake-imap/index.js';
import type { ApiClient } from './api-client.js';
import { userIdOf, usersPath } from './api-client.js';
import { TestInstallation } from './test-installation.js';
import { waitFor } from './wait-for.js';

export interface FakeMailbox {
  tag: string;
  userId: string;
  username: string;
}

/** Like ImapTestbed, but the provider points at the in-repo fake IMAP server, for faults Dovecot cannot make. */
export class FakeImapTestbed extends TestInstallation {
  server!: FakeImapServer;
  partner!: ApiClient;
  providerCode!: string;

  static async create(
    options: FakeImapServerOptions & { partnerArgs?: string[]; env?: Record<string, string> } = {},
  ): Promise<FakeImapTestbed> {
    const { partnerArgs, env, ...serverOptions } = options;
    const bed = new FakeImapTestbed(env);
    await bed.start();
    bed.server = await FakeImapServer.start(serverOptions);
    bed.providerCode = await bed.createLocalProvider('Fake IMAP', bed.server.port);
    bed.partner = await bed.createPartner('Fake IMAP partner', partnerArgs);
    await bed.partner.post('/api/v1/connections', { imap_provider_code: bed.providerCode });
    return bed;
  }

  async addMailbox(options: { password?: string } = {}): Promise<FakeMailbox> {
    const username = `u${randomBytes(4).toString('hex')}@fake.test`;
    this.server.addUser(username, 'secret');
    const result = await this.partner.post(usersPath(this.providerCode), {
      tag: username,
      login_username: username,
      login_password: options.password ?? 'secret',
    });
    if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
    const userId = userIdOf(result.body.connect_url as string);
    return { tag: username, userId, username };
  }

  async waitForSession(mailbox: FakeMailbox, timeoutMs = 10_000): Promise<void> {
    await waitFor(`a session for ${mailbox.username}`, () => this.server.openSessions(mailbox.username) === 1, {
      timeoutMs,
    });
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.server?.close();
  }
}
