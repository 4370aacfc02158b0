import type { AppConfig, RoleSpec } from '@app/core';

import { apiRole } from '../../api/src/api.role.js';
import { imapClientRole } from '../../imap-client/src/imap-client.role.js';
import { workerRole } from '../../worker/src/worker.role.js';

/** `all` runs the three roles in one process (development); it serves HTTP on PORT. */
function allRoles(config: AppConfig): RoleSpec {
  const api = apiRole(config);
  return {
    ...api,
    name: 'all',
    modules: [...api.modules, ...imapClientRole(config).modules, ...workerRole(config).modules],
  };
}

export const ROLES: Record<string, (config: AppConfig) => RoleSpec> = {
  api: apiRole,
  'imap-client': imapClientRole,
  worker: workerRole,
  all: allRoles,
};
