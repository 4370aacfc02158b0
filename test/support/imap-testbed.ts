import { ImapFlow } from 'imapflow';

import { DovecotTestServer, type DovecotStartOptions } from '../harness/dovecot.js';
import type { ApiClient } from './api-client.js';
import { userIdOf, usersPath } from './api-client.js';
import { TestInstallation } from './test-installation.js';

export interface Mailbox {
  tag: string;
  userId: string;
  email: string;
  password: string;
}

/**
 * A private Dovecot and an installation whose partner has a connection to it: what an operator and a
 * partner would set up, done through the CLI and the REST API.
 */
export class ImapTestbed extends TestInstallation {
  dovecot!: DovecotTestServer;
  partner!: ApiClient;
  providerCode!: string;

  /** `env` applies to every process of the installation (CLI and roles). */
  static async create(
    options: DovecotStartOptions & { partnerArgs?: string[]; env?: Record<string, string> } = {},
  ): Promise<ImapTestbed> {
    const bed = new ImapTestbed(options.env);
    await bed.start();
    bed.dovecot = await DovecotTestServer.start(options);
    bed.providerCode = await bed.createLocalProvider('Test Dovecot', bed.dovecot.imapPort);
    bed.partner = await bed.createPartner('Imap test partner', options.partnerArgs);
    await bed.partner.post('/api/v1/connections', { imap_provider_code: bed.providerCode });
    return bed;
  }

  /** Creates a SuperIMAP user for Dovecot user n, with its password. */
  async addMailbox(n: number, options: { password?: string; tag?: string } = {}): Promise<Mailbox> {
    const { email, password } = this.dovecot.user(n);
    const tag = options.tag ?? `user-${n}`;
    const result = await this.partner.post(usersPath(this.providerCode), {
      tag,
      login_username: email,
      login_password: options.password ?? password,
    });
    if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
    const userId = userIdOf(result.body.connect_url as string);
    return { tag, userId, email, password };
  }

  /** Runs `work` on an IMAP connection of its own, logged in as the mailbox's user (as a mail client would be). */
  async withImap<T>(mailbox: Pick<Mailbox, 'email' | 'password'>, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: this.dovecot.host,
      port: this.dovecot.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: mailbox.email, pass: mailbox.password },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout();
    }
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.dovecot?.stop();
  }
}
