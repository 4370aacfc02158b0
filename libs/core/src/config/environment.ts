import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import type { AppConfig } from './app-config.js';
import { parseConfig } from './load-config.js';
import { withLocalSecrets } from './local-secrets.js';

/** Where development secrets are kept; git-ignored. */
export const LOCAL_SECRETS_FILE = resolve('.local/secrets.env');

/** The only reader of process.env: loads `.env` if present, fills local secrets, validates. */
export function loadConfigFromProcess(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(withLocalSecrets(process.env, process.env.SUPERIMAP_SECRETS_FILE ?? LOCAL_SECRETS_FILE));
}
