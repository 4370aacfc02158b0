import type { AppConfig, RoleSpec } from '@app/core';

import { ImapClientRoleModule } from './imap-client-role.module.js';

export function imapClientRole(config: AppConfig): RoleSpec {
  return { name: 'imap-client', modules: [ImapClientRoleModule], port: config.HEALTH_PORT };
}
