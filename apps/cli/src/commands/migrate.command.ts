import { DataSource } from 'typeorm';

import { dataSourceOptions, ensureDatabase } from '@app/core';

import { parseFlags } from '../cli-args.js';
import { commandConfig } from '../command-context.js';

/** `superimap migrate [--down]`: creates the database if needed, then applies (or reverts one) migration. */
export async function migrateCommand(args: string[]): Promise<unknown> {
  const flags = parseFlags(args, { down: { type: 'boolean' } });
  const config = commandConfig();
  const created = await ensureDatabase(config.DATABASE_URL);
  const dataSource = new DataSource(dataSourceOptions(config.DATABASE_URL));
  await dataSource.initialize();
  try {
    if (flags.down) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      return { database_created: created, reverted: true };
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { database_created: created, applied: applied.map((migration) => migration.name) };
  } finally {
    await dataSource.destroy();
  }
}
