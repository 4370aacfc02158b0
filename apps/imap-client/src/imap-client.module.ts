import { Module } from '@nestjs/common';

/** The imap-client role: mailbox sessions and the new-mail pipeline. */
@Module({})
export class ImapClientRoleModule {}
