import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { PartnerAuthGuard } from './api/partner-auth.guard.js';
import { Partner } from './partner.entity.js';
import { PartnersService } from './partners.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Partner])],
  providers: [PartnersService],
  exports: [PartnersService],
})
export class PartnersModule {}

/** API-key authentication for partner API controllers (needs Redis for the rate limit). */
@Module({ imports: [PartnersModule], providers: [PartnerAuthGuard], exports: [PartnersModule, PartnerAuthGuard] })
export class PartnerAuthModule {}
