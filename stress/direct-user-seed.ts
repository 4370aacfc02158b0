// Seeds users straight into PostgreSQL, their passwords encrypted by the built app's own SecretBox, for runs
// whose size the REST API would take most of an hour to set up (100,000 users). Only `npm run scale` uses it;
// every other run creates its users through the API, as a partner does.

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import pg from 'pg';

interface SecretBoxLike {
  encrypt(plaintext: string, location: { table: string; column: string; id: string }): string;
}

const BATCH = 5000;

export async function seedUsersInDatabase(
  env: Record<string, string>,
  users: Array<{ providerCode: string; username: string; password: string }>,
  onProgress: (done: number) => void,
): Promise<void> {
  const modulePath = pathToFileURL(resolve('dist/libs/core/src/crypto/secret-box.js')).href;
  const { SecretBox } = (await import(modulePath)) as {
    SecretBox: new (config: { ENCRYPTION_KEY: string }) => SecretBoxLike;
  };
  const box = new SecretBox({ ENCRYPTION_KEY: env.ENCRYPTION_KEY });
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; code: string }>(
      'SELECT c.id, p.code FROM partner_connections c JOIN imap_providers p ON p.id = c.imap_provider_id',
    );
    const connectionOf = new Map(rows.map((row) => [row.code, row.id]));
    for (let start = 0; start < users.length; start += BATCH) {
      const batch = users.slice(start, start + BATCH).map((user) => ({ id: randomUUID(), ...user }));
      await client.query(
        `INSERT INTO users (id, partner_connection_id, tag, login_username, login_password)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])`,
        [
          batch.map((user) => user.id),
          batch.map((user) => connectionOf.get(user.providerCode)),
          batch.map((user) => user.username),
          batch.map((user) => user.username),
          batch.map((user) => box.encrypt(user.password, { table: 'users', column: 'login_password', id: user.id })),
        ],
      );
      onProgress(start + batch.length);
    }
  } finally {
    await client.end();
  }
}
