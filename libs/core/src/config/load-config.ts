import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { parseEncryptionKeys } from '../crypto/encryption-keys.js';
import { isLoopbackHost } from '../network/loopback.js';
import { AppConfig, CONFIG_VARIABLES } from './app-config.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Record<string, string | undefined>;

/** Builds the validated config from an environment; throws one ConfigError listing every problem. */
export function parseConfig(env: Environment): AppConfig {
  const raw: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const problems = validateSync(config, { forbidUnknownValues: true }).flatMap((error) => {
    const shown = shownValue(error.property, raw[error.property]);
    return Object.values(error.constraints ?? {}).map((message) => `${error.property}=${shown}: ${message}`);
  });
  problems.push(...crossFieldProblems(config));
  if (raw.NODE_ENV === undefined) problems.push(...failClosed(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Without NODE_ENV a process could be a forgotten production deployment running development rules
 * (generated secrets, private webhook targets): it may only serve loopback, and binds there by default.
 */
function failClosed(config: AppConfig): string[] {
  const problems: string[] = [];
  config.LISTEN_ADDRESS ??= '127.0.0.1';
  const rule = 'is not loopback, so NODE_ENV must be set (production, or development to accept the risk)';
  if (!isLoopbackHost(new URL(config.PUBLIC_URL).hostname)) problems.push(`PUBLIC_URL ${rule}`);
  if (!isLoopbackHost(config.LISTEN_ADDRESS)) problems.push(`LISTEN_ADDRESS ${rule}`);
  return problems;
}

/** Variables whose value is a secret: a problem names them and the rule, never the value. */
const SECRET_VARIABLES = new Set(['ENCRYPTION_KEY', 'SECRET_KEY_BASE', 'METRICS_TOKEN']);
/** Variables that are URLs and may carry a password. */
const URL_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL']);

/** How a problem shows a variable's value: as given, except secrets (hidden) and URL passwords (masked). */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '(not set)';
  if (SECRET_VARIABLES.has(name)) return `(hidden, ${value.length} characters)`;
  if (URL_VARIABLES.has(name)) {
    const url = URL.parse(value);
    // Unparseable but with an `@`, it could still hold a password: show nothing of it.
    if (!url) return value.includes('@') ? '(hidden: not a URL)' : JSON.stringify(value);
    if (url.password) url.password = '***';
    return JSON.stringify(url.toString());
  }
  return JSON.stringify(value);
}

// A bare entry's id is a fast hash of the secret, stored beside every ciphertext: an offline guessing aid.
const BARE_KEY_PROBLEM =
  'ENCRYPTION_KEY: in production every entry needs an id (`id:secret`); to keep reading data written with ' +
  'an entry that has none, prefix it with the id its data is stored under (the second field of a stored ' +
  'secret, v1:<id>:...)';

function crossFieldProblems(config: AppConfig): string[] {
  const problems: string[] = [];
  if (config.HEARTBEAT_TIMEOUT <= config.HEARTBEAT_INTERVAL) {
    problems.push('HEARTBEAT_TIMEOUT must be longer than HEARTBEAT_INTERVAL');
  }
  if (config.ENCRYPTION_KEY) {
    try {
      const bare = parseEncryptionKeys(config.ENCRYPTION_KEY).filter((key) => !key.explicitId).length;
      if (bare > 0 && config.isProduction) problems.push(BARE_KEY_PROBLEM);
    } catch (error) {
      problems.push(`ENCRYPTION_KEY: ${(error as Error).message}`);
    }
  }
  if (config.isProduction && config.PUBLIC_URL.startsWith('http:')) {
    problems.push('PUBLIC_URL must use https in production');
  }
  return problems;
}
