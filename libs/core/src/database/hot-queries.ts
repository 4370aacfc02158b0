import { Injectable } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/** Distinct statement texts that get a prepared statement; past this, a text is a bug (values in the SQL). */
const MAX_PREPARED_TEXTS = 64;
/** Statement names per text, shared by the whole process: a name means one text on every pool connection. */
const names = new Map<string, string>();

/**
 * Runs the statements of the per-mail hot path (the pipeline's insert, the worker's reads and settlement)
 * straight on TypeORM's pg pool as named prepared statements: PostgreSQL parses and plans each text once
 * per connection, and TypeORM's query runner (subscribers, logging, result mapping) is skipped. Everything
 * else goes through TypeORM. Texts must be constant: values travel as parameters only.
 */
@Injectable()
export class HotQueries {
  constructor(private readonly dataSource: DataSource) {}

  async rows<Row extends QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const result = await pool.query<Row>({ name: statementName(text), text, values });
    return result.rows;
  }
}

function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known || names.size >= MAX_PREPARED_TEXTS) return known;
  const name = `hot_${names.size + 1}`;
  names.set(text, name);
  return name;
}
