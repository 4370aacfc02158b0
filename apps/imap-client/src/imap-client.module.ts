import { Module } from '@nestjs/common';

import { ImapClientModule } from '@app/imap';

/** The imap-client role: mailbox sessions and the new-mail pipeline. */
@Module({ imports: [ImapClientModule] })
export class ImapClientRoleModule {}
