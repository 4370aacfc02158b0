import { ConfigError, DomainError } from '@app/core';

import { CliError, USAGE_ERROR } from './cli-error.js';
import { ROLES } from './roles.js';
import { runRoleFromCommandLine } from './run-role.js';

const USAGE = `SuperIMAP: watches IMAP inboxes and calls partner webhooks.

usage: superimap <command> [options]

roles (long-running):
  api | imap-client | worker | all

commands (JSON on stdout):
  migrate [--down]            create the database if needed and apply migrations (or revert the last)
  seed                        default admin and built-in IMAP providers (idempotent)
  partner create|update|list|rotate-secret
  users list|show|state [--partner ID] [--connection CODE] [--tag TAG] [--state STATE]
                              users across partners; state: how many in each state
  provider create|list
  admin create --email EMAIL --password PASSWORD
  keys rotate                 re-encrypt every secret with the newest ENCRYPTION_KEY
  events redeliver --status failed [--since DATE] [--partner ID]
                              send events again, with their original webhook-id
  cluster status              live imap-client nodes, capacity, users owned, last heartbeat
  tracers list [--since 24h] [--user ID] [--limit N]
                              tracer emails, newest first, with p50/p95 latency over the window`;

// Imported when run, like the roles: a command loads only the modules it uses.
const COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<unknown>>> = {
  migrate: async () => (await import('./commands/migrate.command.js')).migrateCommand,
  seed: async () => (await import('./commands/seed.command.js')).seedCommand,
  partner: async () => (await import('./commands/partner.command.js')).partnerCommand,
  provider: async () => (await import('./commands/provider.command.js')).providerCommand,
  admin: async () => (await import('./commands/admin.command.js')).adminCommand,
  keys: async () => (await import('./commands/keys.command.js')).keysCommand,
  events: async () => (await import('./commands/events.command.js')).eventsCommand,
  cluster: async () => (await import('./commands/cluster.command.js')).clusterCommand,
  tracers: async () => (await import('./commands/tracers.command.js')).tracersCommand,
  users: async () => (await import('./commands/users.command.js')).usersCommand,
};

async function main([name, ...args]: string[]): Promise<void> {
  if (name && ROLES[name]) return runRoleFromCommandLine(name, ROLES[name]);
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // No command is a usage error (exit 2, as the README says), not a successful help.
  if (!name) throw new CliError(USAGE, USAGE_ERROR);
  const loadCommand = COMMANDS[name];
  if (!loadCommand) throw new CliError(`unknown command '${name}'\n\n${USAGE}`, USAGE_ERROR);
  const result = await (await loadCommand())(args);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

function exitCodeFor(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}

function messageFor(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof DomainError) return error.message;
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return `cannot reach a required service: ${(error as Error).message}`;
  return `unexpected error: ${(error as Error).stack ?? String(error)}`;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`superimap: ${messageFor(error)}\n`);
  // Exit now: a context that failed half-way through booting may hold connections open forever.
  process.exit(exitCodeFor(error));
});
