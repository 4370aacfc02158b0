import { Module } from '@nestjs/common';

import { ClusterModule } from '@app/cluster';
import { ImapClientModule } from '@app/imap';

/** The imap-client role: mailbox sessions, the new-mail pipeline, and the cluster deciding which it owns. */
@Module({ imports: [ImapClientModule, ClusterModule] })
export class ImapClientRoleModule {}
