import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API key rotation with a grace period (the replaced key's hash and expiry) and disabling a partner. */
export class PartnerKeyLifecycle1764390000000 implements MigrationInterface {
  name = 'PartnerKeyLifecycle1764390000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE partners
        ADD COLUMN previous_api_key_hash char(64),
        ADD COLUMN previous_api_key_expires_at timestamptz,
        ADD COLUMN disabled_at timestamptz`);
    await db.query(
      'CREATE INDEX partners_previous_api_key_hash_idx ON partners (previous_api_key_hash) WHERE previous_api_key_hash IS NOT NULL',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX partners_previous_api_key_hash_idx');
    await db.query(`
      ALTER TABLE partners
        DROP COLUMN previous_api_key_hash,
        DROP COLUMN previous_api_key_expires_at,
        DROP COLUMN disabled_at`);
  }
}
