import pg from 'pg';

import { POSTGRES_URL, uniqueName } from './test-env.js';

/** A database a test creates (or lets the CLI create) and drops afterwards. */
export class ScratchDatabase {
  readonly name = uniqueName('superimap_scratch');
  readonly url = `${POSTGRES_URL}/${this.name}`;

  /**
   * A pool on this database for a test's own queries. pg-pool's end() resolves before its clients' sockets
   * have closed, so a drop (WITH FORCE) can still end one: "terminating connection" (57P01) is no failure.
   */
  pool(max = 4): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.url, max });
    pool.on('error', (error: Error & { code?: string }) => {
      if (error.code !== '57P01') throw error;
    });
    return pool;
  }

  async query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(this.name)} WITH (FORCE)`);
    await client.end();
  }
}
