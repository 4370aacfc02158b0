import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ImapProvider } from './imap-provider.entity.js';
import { ProvidersService } from './providers.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ImapProvider])],
  providers: [ProvidersService],
  exports: [ProvidersService],
})
export class ProvidersModule {}
