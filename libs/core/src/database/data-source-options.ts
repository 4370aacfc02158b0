import type { DataSourceOptions } from 'typeorm';

import { InitialSchema1764350000000 } from './migrations/1764350000000-initial-schema.js';
import { UsersUpdatedAtIndex1764360000000 } from './migrations/1764360000000-users-updated-at-index.js';
import { UnwatchedStateAndUserQuota1764365000000 } from './migrations/1764365000000-unwatched-state-and-user-quota.js';
import { TracerRounds1764370000000 } from './migrations/1764370000000-tracer-rounds.js';
import { DayTwoOperations1764380000000 } from './migrations/1764380000000-day-two-operations.js';
import { PartnerKeyLifecycle1764390000000 } from './migrations/1764390000000-partner-key-lifecycle.js';
import { AdminAuditLog1764400000000 } from './migrations/1764400000000-admin-audit-log.js';
import { DashboardIndexes1764410000000 } from './migrations/1764410000000-dashboard-indexes.js';
import { Backfills1764430000000 } from './migrations/1764430000000-backfills.js';
import { GrowthIndexes1764440000000 } from './migrations/1764440000000-growth-indexes.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/** Every migration, in order. Migrations are explicit SQL, reviewed like code; never `synchronize`. */
export const MIGRATIONS = [
  InitialSchema1764350000000,
  UsersUpdatedAtIndex1764360000000,
  UnwatchedStateAndUserQuota1764365000000,
  TracerRounds1764370000000,
  DayTwoOperations1764380000000,
  PartnerKeyLifecycle1764390000000,
  AdminAuditLog1764400000000,
  DashboardIndexes1764410000000,
  Backfills1764430000000,
  GrowthIndexes1764440000000,
];

/** Options shared by the application's data source and the CLI's. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    // JIT off: the dashboard's 24-hour queries cross jit_above_cost on a grown table, and compiling them took
    // longer than running them (docs/PERFORMANCE.md, "PostgreSQL growth"); nothing here is analytic enough to gain.
    extra: { max: 10, application_name: 'superimap', options: '-c jit=off' },
  };
}
