import type { AppConfig, RoleSpec } from '@app/core';

import { WorkerRoleModule } from './worker-role.module.js';

export function workerRole(config: AppConfig): RoleSpec {
  return { name: 'worker', modules: [WorkerRoleModule], port: config.HEALTH_PORT };
}
