import pg from 'pg';

let pool: pg.Pool | undefined;

/** Raw SQL against this test run's database, for asserting on what SuperIMAP stored. */
export async function sql<T extends pg.QueryResultRow = Record<string, any>>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  pool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  return (await pool.query<T>(text, values)).rows;
}

export async function closeDatabase(): Promise<void> {
  await pool?.end();
  pool = undefined;
}
