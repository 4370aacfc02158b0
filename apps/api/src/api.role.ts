import type { AppConfig, RoleSpec } from '@app/core';

import { ApiModule } from './api.module.js';
import { configureApi } from './configure-api.js';

export function apiRole(config: AppConfig): RoleSpec {
  return { name: 'api', modules: [ApiModule], port: config.PORT, configure: configureApi };
}
