import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { UsersModule } from '@app/users';
import { EventBodySource } from '@app/webhooks';

import { ImapModule } from '../imap.module.js';
import { BackfillRequests } from './backfill-requests.service.js';
import { Backfill } from './backfill.entity.js';
import { MailboxMessageRefetch } from './mailbox-message-refetch.js';

/** Asking for backfills (api, admin, CLI); the imap-client runs them (BackfillScheduler in ImapClientModule). */
@Module({
  imports: [TypeOrmModule.forFeature([Backfill]), UsersModule],
  providers: [BackfillRequests],
  exports: [BackfillRequests],
})
export class BackfillsModule {}

/**
 * Lets a redelivery read a message again from its mailbox when its body was dropped: the events service
 * (webhooks lib, below imap) finds this source wherever this module is imported (the api role).
 */
@Global()
@Module({
  imports: [ImapModule, UsersModule],
  providers: [{ provide: EventBodySource, useClass: MailboxMessageRefetch }],
  exports: [EventBodySource],
})
export class EventBodyRefetchModule {}
