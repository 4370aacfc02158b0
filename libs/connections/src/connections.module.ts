import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { PartnerAuthModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';

import { ConnectionsController } from './api/connections.controller.js';
import { ConnectionsService } from './connections.service.js';
import { PartnerConnection } from './partner-connection.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerConnection]), ProvidersModule],
  providers: [ConnectionsService],
  exports: [ConnectionsService],
})
export class ConnectionsModule {}

/** The partner API's connection routes (mounted by the api role only). */
@Module({ imports: [ConnectionsModule, PartnerAuthModule], controllers: [ConnectionsController] })
export class ConnectionsApiModule {}
