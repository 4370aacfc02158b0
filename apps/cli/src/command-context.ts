import { type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { type AppConfig, CoreModule, createRootLogger, loadConfigFromProcess } from '@app/core';

/** Loads config for a CLI command; logs go to stderr so stdout stays machine-readable JSON. */
export function commandConfig(): AppConfig {
  return loadConfigFromProcess();
}

/** Runs `work` inside a Nest context holding the data layer and the given domain modules, then closes it. */
export async function withCommandContext<T>(
  modules: Type[],
  work: (context: INestApplicationContext) => Promise<T>,
  options: { queues?: boolean } = {},
): Promise<T> {
  const config = commandConfig();
  const logger = createRootLogger({
    role: 'cli',
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    toStderr: true,
  });

  @Module({ imports: [CoreModule.forCommand(config, logger, options), ...modules] })
  class CommandModule {}

  const context = await NestFactory.createApplicationContext(CommandModule, { logger: false, abortOnError: false });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
