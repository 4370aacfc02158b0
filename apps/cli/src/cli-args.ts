import { parseArgs, type ParseArgsConfig } from 'node:util';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { CliError, USAGE_ERROR } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `--flag value` options strictly: unknown flags and stray arguments are usage errors. */
export function parseFlags(args: string[], options: Options): Record<string, string | boolean | string[] | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | string[] | undefined
    >;
  } catch (error) {
    throw new CliError((error as Error).message, USAGE_ERROR);
  }
}

/** Turns flags into a validated DTO, or a usage error listing every invalid flag. */
export function toValidDto<T extends object>(type: new () => T, values: Record<string, unknown>): T {
  const defined = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  const dto = plainToInstance(type, defined);
  const problems = validateSync(dto).flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new CliError(`Invalid input:\n  - ${problems.join('\n  - ')}`, USAGE_ERROR);
  return dto;
}

/** `--imap-host` → `imapHost`. */
export function camelCaseKeys(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  );
}
