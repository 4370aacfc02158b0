import {
  type AppConfig,
  ConfigError,
  createRootLogger,
  exitCleanlyOnSignals,
  loadConfigFromProcess,
  type RoleSpec,
  startRole,
} from '@app/core';

/** Starts one role as this process, or exits 1 naming every invalid variable. */
export async function runRoleFromCommandLine(
  name: string,
  loadRole: () => Promise<(config: AppConfig) => RoleSpec>,
): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromProcess();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`superimap ${name}: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ role: name, level: config.LOG_LEVEL });
  try {
    const role = await loadRole();
    const app = await startRole(role(config), config, logger);
    exitCleanlyOnSignals(app, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}
