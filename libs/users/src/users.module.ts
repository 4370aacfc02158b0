import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ConnectionsModule } from '@app/connections';
import { PartnersModule } from '@app/partners';

import { CredentialChangeLimit } from './credential-change-limit.js';
import { MailboxAccounts } from './mailbox-accounts.service.js';
import { MailboxStates } from './mailbox-states.service.js';
import { OperatorUsersQuery } from './operator-users.query.js';
import { SignedUserUrls } from './signed-user-urls.js';
import { UserCredentials } from './user-credentials.service.js';
import { UserDirectory } from './user-directory.service.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';
import { WatchableUsersQuery } from './watchable-users.query.js';

const SERVICES = [
  CredentialChangeLimit,
  MailboxAccounts,
  MailboxStates,
  SignedUserUrls,
  UserCredentials,
  UserDirectory,
  UsersService,
  WatchableUsersQuery,
];

@Module({
  imports: [TypeOrmModule.forFeature([User]), ConnectionsModule, PartnersModule],
  providers: SERVICES,
  exports: SERVICES,
})
export class UsersModule {}

/** The operator's read of users across partners (CLI); needs nothing but the users table. */
@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [OperatorUsersQuery],
  exports: [OperatorUsersQuery],
})
export class OperatorUsersModule {}
