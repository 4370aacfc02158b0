import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Environment } from './load-config.js';

const GENERATED = ['ENCRYPTION_KEY', 'SECRET_KEY_BASE'] as const;

/**
 * Outside production a newcomer should not have to invent secrets: the first start writes random ones
 * to a git-ignored file and every later start reads the same ones back (so stored secrets stay readable).
 */
export function withLocalSecrets(env: Environment, file: string): Environment {
  if (env.NODE_ENV === 'production' || GENERATED.every((name) => env[name])) return env;
  const stored = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};
  const missing = GENERATED.filter((name) => !stored[name]);
  if (missing.length > 0) {
    for (const name of missing) stored[name] = randomBytes(32).toString('base64url');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const lines = GENERATED.map((name) => `${name}=${stored[name]}`);
    writeFileSync(file, `# Generated once for local use; never used in production.\n${lines.join('\n')}\n`, {
      mode: 0o600,
    });
  }
  const merged: Environment = { ...env };
  for (const name of GENERATED) merged[name] = env[name] || stored[name];
  return merged;
}

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}
