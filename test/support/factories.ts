import { createHash, randomBytes, randomUUID } from 'node:crypto';

import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { SecretBox } from '@app/core';

/**
 * Rows for integration tests, written straight into the schema (encrypted columns through the node's
 * SecretBox), so the tests do not depend on how services create them.
 */
export interface MailboxRows {
  partnerId: string;
  providerCode: string;
  connectionId: string;
  userId: string;
  tag: string;
  username: string;
}

export interface MailboxFactoryOptions {
  /** The IMAP server the provider points at (127.0.0.1, no TLS). */
  imapPort?: number;
  newMailWebhook?: string | null;
  username?: string;
  password?: string;
  /** When the user was created: mail older than this is not reported. */
  createdAt?: Date;
  /** A user not connected yet is not watched. */
  connected?: boolean;
}

export class TestRows {
  private readonly dataSource: DataSource;
  private readonly secretBox: SecretBox;

  constructor(node: INestApplicationContext) {
    this.dataSource = node.get(DataSource);
    this.secretBox = node.get(SecretBox);
  }

  async partner(newMailWebhook: string | null = null): Promise<string> {
    const id = randomUUID();
    const apiKey = `sk_test_${randomBytes(16).toString('hex')}`;
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    await this.dataSource.query(
      `INSERT INTO partners (id, name, api_key, api_key_hash, webhook_secret, new_mail_webhook)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        `Partner ${id.slice(0, 8)}`,
        this.secretBox.encrypt(apiKey, { table: 'partners', column: 'api_key', id }),
        createHash('sha256').update(apiKey).digest('hex'),
        this.secretBox.encrypt(webhookSecret, { table: 'partners', column: 'webhook_secret', id }),
        newMailWebhook,
      ],
    );
    return id;
  }

  async provider(imapPort = 143): Promise<{ id: string; code: string }> {
    const id = randomUUID();
    const code = `INT_${randomBytes(4).toString('hex').toUpperCase()}`;
    await this.dataSource.query(
      `INSERT INTO imap_providers (id, code, title, auth, imap_host, imap_port, imap_security)
       VALUES ($1, $2, $3, 'password', '127.0.0.1', $4, 'none')`,
      [id, code, `Provider ${code}`, imapPort],
    );
    return { id, code };
  }

  async connection(partnerId: string, providerId: string): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      'INSERT INTO partner_connections (id, partner_id, imap_provider_id) VALUES ($1, $2, $3)',
      [id, partnerId, providerId],
    );
    return id;
  }

  async user(
    connectionId: string,
    options: { username?: string; password?: string; createdAt?: Date; connected?: boolean } = {},
  ): Promise<{ userId: string; username: string }> {
    const id = randomUUID();
    const username = options.username ?? `u${randomBytes(4).toString('hex')}@fake.test`;
    const password = this.secretBox.encrypt(options.password ?? 'secret', {
      table: 'users',
      column: 'login_password',
      id,
    });
    await this.dataSource.query(
      `INSERT INTO users (id, partner_connection_id, tag, email, login_username, login_password, connected_at, created_at)
       VALUES ($1, $2, $3, $3, $3, $4, $5, $6)`,
      [
        id,
        connectionId,
        username,
        password,
        options.connected === false ? null : new Date(),
        options.createdAt ?? new Date(),
      ],
    );
    return { userId: id, username };
  }

  /** A partner, a password provider, their connection and one connected user. */
  async mailbox(options: MailboxFactoryOptions = {}): Promise<MailboxRows> {
    const partnerId = await this.partner(options.newMailWebhook ?? null);
    const provider = await this.provider(options.imapPort);
    const connectionId = await this.connection(partnerId, provider.id);
    const { userId, username } = await this.user(connectionId, options);
    return { partnerId, providerCode: provider.code, connectionId, userId, tag: username, username };
  }

  /**
   * A pending new_mail event as the pipeline writes it, but not queued, created `ageMs` ago (the outbox
   * sweeper queues pending events older than a few seconds).
   */
  async pendingEvent(rows: MailboxRows, ageMs = 0): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO webhook_events (id, partner_id, user_id, type, status, metadata, created_at)
       VALUES ($1, $2, $3, 'new_mail', 'pending', $4, now() - make_interval(secs => $5))`,
      [
        id,
        rows.partnerId,
        rows.userId,
        JSON.stringify({ uid: 1, uid_validity: 1, size: 0, truncated: true }),
        ageMs / 1000,
      ],
    );
    return id;
  }
}
