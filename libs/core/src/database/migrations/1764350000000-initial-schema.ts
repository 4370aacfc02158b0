import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The whole data model of ARCHITECTURE §3. Secret columns hold SecretBox ciphertext only. */
export class InitialSchema1764350000000 implements MigrationInterface {
  name = 'InitialSchema1764350000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE partners (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) > 0),
        api_key text NOT NULL,
        api_key_hash char(64) NOT NULL,
        webhook_secret text NOT NULL,
        previous_webhook_secret text,
        previous_webhook_secret_expires_at timestamptz,
        new_mail_webhook text,
        user_connected_webhook text,
        user_disconnected_webhook text,
        success_url text,
        failure_url text,
        allowed_redirect_urls text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX partners_api_key_hash_key ON partners (api_key_hash)`);

    await db.query(`
      CREATE TABLE imap_providers (
        id uuid PRIMARY KEY,
        code text NOT NULL CHECK (code ~ '^[A-Z0-9_]+$'),
        title text NOT NULL,
        auth text NOT NULL CHECK (auth IN ('password', 'oauth2')),
        imap_host text NOT NULL,
        imap_port integer NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
        imap_security text NOT NULL CHECK (imap_security IN ('tls', 'starttls', 'none')),
        smtp_host text,
        smtp_port integer CHECK (smtp_port BETWEEN 1 AND 65535),
        smtp_security text CHECK (smtp_security IN ('tls', 'starttls', 'none')),
        oauth2_authorize_url text,
        oauth2_token_url text,
        oauth2_userinfo_url text,
        oauth2_revoke_url text,
        oauth2_scope text,
        oauth2_params jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX imap_providers_code_key ON imap_providers (code)`);

    await db.query(`
      CREATE TABLE partner_connections (
        id uuid PRIMARY KEY,
        partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
        imap_provider_id uuid NOT NULL REFERENCES imap_providers (id) ON DELETE RESTRICT,
        oauth2_client_id text,
        oauth2_client_secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX partner_connections_partner_provider_key
         ON partner_connections (partner_id, imap_provider_id)`,
    );

    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        partner_connection_id uuid NOT NULL REFERENCES partner_connections (id) ON DELETE CASCADE,
        tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 255),
        email text,
        login_username text,
        login_password text,
        oauth2_refresh_token text,
        oauth2_access_token text,
        oauth2_access_token_expires_at timestamptz,
        connected_at timestamptz,
        archived_at timestamptz,
        enable_tracer boolean NOT NULL DEFAULT false,
        last_uid bigint,
        last_uid_validity bigint,
        last_internal_date timestamptz,
        last_email_at timestamptz,
        last_login_at timestamptz,
        state text NOT NULL DEFAULT 'idle'
          CHECK (state IN ('idle', 'connecting', 'watching', 'auth_error', 'connect_error')),
        last_error text,
        auth_failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX users_connection_tag_active_key
         ON users (partner_connection_id, lower(tag)) WHERE archived_at IS NULL`,
    );
    await db.query(`CREATE INDEX users_connection_created_idx ON users (partner_connection_id, created_at, id)`);
    await db.query(`CREATE INDEX users_watchable_idx ON users (id) WHERE archived_at IS NULL`);

    await db.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY,
        partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('new_mail', 'user_connected', 'user_disconnected')),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
        metadata jsonb NOT NULL DEFAULT '{}',
        body text,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await db.query(`CREATE INDEX webhook_events_pending_idx ON webhook_events (created_at) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX webhook_events_partner_created_idx ON webhook_events (partner_id, created_at, id)`);
    await db.query(`CREATE INDEX webhook_events_user_idx ON webhook_events (user_id)`);

    await db.query(`
      CREATE TABLE mail_logs (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        uid_validity bigint NOT NULL,
        uid bigint NOT NULL,
        message_id text,
        sha1 char(40),
        internal_date timestamptz,
        event_id uuid REFERENCES webhook_events (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX mail_logs_user_uid_key ON mail_logs (user_id, uid_validity, uid)`);
    await db.query(`CREATE INDEX mail_logs_user_message_id_idx ON mail_logs (user_id, message_id)`);
    await db.query(`CREATE INDEX mail_logs_user_sha1_idx ON mail_logs (user_id, sha1)`);

    await db.query(`
      CREATE TABLE transmit_logs (
        id uuid PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        response_code integer,
        response_body text,
        error text,
        duration_ms integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX transmit_logs_event_idx ON transmit_logs (event_id, attempt)`);

    await db.query(`
      CREATE TABLE tracer_logs (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        uid text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        detected_at timestamptz
      )`);
    await db.query(`CREATE INDEX tracer_logs_user_uid_idx ON tracer_logs (user_id, uid)`);

    await db.query(`
      CREATE TABLE admin_users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        must_change_password boolean NOT NULL DEFAULT false,
        sign_in_count integer NOT NULL DEFAULT 0,
        current_sign_in_at timestamptz,
        last_sign_in_at timestamptz,
        current_sign_in_ip text,
        last_sign_in_ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX admin_users_email_key ON admin_users (lower(email))`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'admin_users',
      'tracer_logs',
      'transmit_logs',
      'mail_logs',
      'webhook_events',
      'users',
      'partner_connections',
      'imap_providers',
      'partners',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
