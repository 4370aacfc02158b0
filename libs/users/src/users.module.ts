import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ConnectionsModule } from '@app/connections';
import { PartnerAuthModule } from '@app/partners';

import { UsersController } from './api/users.controller.js';
import { MailboxAccounts } from './mailbox-accounts.service.js';
import { SignedUserUrls } from './signed-user-urls.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), ConnectionsModule],
  providers: [UsersService, SignedUserUrls, MailboxAccounts],
  exports: [UsersService, SignedUserUrls, MailboxAccounts],
})
export class UsersModule {}

/** The partner API's user routes (mounted by the api role only). */
@Module({ imports: [UsersModule, PartnerAuthModule], controllers: [UsersController] })
export class UsersApiModule {}
