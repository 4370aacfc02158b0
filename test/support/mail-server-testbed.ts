import type { MailUser } from '../harness/cyrus.js';
import type { ApiClient } from './api-client.js';
import { userIdOf, usersPath } from './api-client.js';
import { TestInstallation } from './test-installation.js';

/** What the shared watch scenarios need from a real IMAP server under test (Courier, Cyrus...). */
export interface MailServerUnderTest {
  readonly imapPort: number;
  user(n: number): MailUser;
  deliver(n: number, raw: Buffer, options?: { holdUntil?: Promise<unknown> }): Promise<void>;
  /** Every message's flags as the server holds them, `\Recent` included, read without changing any. */
  flags(n: number): Promise<Array<{ flags: string[] }>>;
  /** Makes the next session see a new UIDVALIDITY. */
  changeUidValidity(n: number): Promise<void>;
  stop(): Promise<void>;
}

export interface WatchedMailbox {
  n: number;
  tag: string;
  userId: string;
  address: string;
}

/** An installation whose partner has a connection to a private IMAP server of some kind. */
export class MailServerTestbed<Server extends MailServerUnderTest> extends TestInstallation {
  partner!: ApiClient;
  providerCode!: string;

  private constructor(readonly server: Server) {
    super();
  }

  static async create<S extends MailServerUnderTest>(
    name: string,
    startServer: () => Promise<S>,
  ): Promise<MailServerTestbed<S>> {
    const bed = new MailServerTestbed(await startServer());
    try {
      await bed.start();
      bed.providerCode = await bed.createLocalProvider(`Test ${name}`, bed.server.imapPort);
      bed.partner = await bed.createPartner(`${name} test partner`);
      await bed.partner.post('/api/v1/connections', { imap_provider_code: bed.providerCode });
    } catch (error) {
      await bed.stop();
      throw error;
    }
    return bed;
  }

  async addMailbox(n: number): Promise<WatchedMailbox> {
    const { login, password, address } = this.server.user(n);
    const tag = `user-${n}`;
    const result = await this.partner.post(usersPath(this.providerCode), {
      tag,
      login_username: login,
      login_password: password,
    });
    if (result.status !== 200) throw new Error(`user create failed: ${JSON.stringify(result.body)}`);
    const userId = userIdOf(result.body.connect_url as string);
    return { n, tag, userId, address };
  }

  override async stop(): Promise<void> {
    try {
      await super.stop();
    } finally {
      await this.server.stop();
    }
  }
}
