import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ProvidersModule } from '@app/providers';

import { ConnectionsService } from './connections.service.js';
import { OAuth2Tokens } from './oauth2/oauth2-tokens.js';
import { PartnerConnection } from './partner-connection.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerConnection]), ProvidersModule],
  providers: [ConnectionsService, OAuth2Tokens],
  exports: [ConnectionsService, OAuth2Tokens],
})
export class ConnectionsModule {}
