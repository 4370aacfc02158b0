import type { AppConfig, RoleSpec } from '@app/core';

import { ApiRoleModule } from './api-role.module.js';
import { configureApi } from './configure-api.js';

export function apiRole(config: AppConfig): RoleSpec {
  return { name: 'api', modules: [ApiRoleModule], port: config.PORT, configure: configureApi };
}
