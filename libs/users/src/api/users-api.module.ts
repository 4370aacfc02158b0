import { Module } from '@nestjs/common';

import { ConnectionsModule } from '@app/connections';
import { PartnerAuthModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';

import { UsersModule } from '../users.module.js';
import { ConnectionsController } from './connections.controller.js';
import { ProvidersController } from './providers.controller.js';
import { UsersController } from './users.controller.js';

/** The partner API's connection and user routes (mounted by the api role only). */
@Module({
  imports: [UsersModule, ConnectionsModule, ProvidersModule, PartnerAuthModule],
  controllers: [ConnectionsController, ProvidersController, UsersController],
})
export class UsersApiModule {}
