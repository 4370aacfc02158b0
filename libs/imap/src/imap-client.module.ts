import { Module } from '@nestjs/common';

import { UsersModule } from '@app/users';

import { ImapStatusLog } from './imap-status-log.service.js';
import { ImapModule } from './imap.module.js';
import { SessionManager } from './session/session-manager.service.js';

/** Mailbox sessions: one per owned mailbox, and the seed's status lines (the imap-client role only). */
@Module({
  imports: [ImapModule, UsersModule],
  providers: [ImapStatusLog, SessionManager],
  exports: [SessionManager],
})
export class ImapClientModule {}
