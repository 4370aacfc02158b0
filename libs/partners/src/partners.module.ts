import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuthFailureThrottle } from './api/auth-failure-throttle.js';
import { PartnerAuthGuard } from './api/partner-auth.guard.js';
import { PartnerDeliveryProfiles } from './partner-delivery-profiles.js';
import { Partner } from './partner.entity.js';
import { PartnersService } from './partners.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Partner])],
  providers: [PartnersService, PartnerDeliveryProfiles],
  exports: [PartnersService, PartnerDeliveryProfiles],
})
export class PartnersModule {}

/** API-key authentication for partner API controllers (needs Redis for the rate limit and the failed-key throttle). */
@Module({
  imports: [PartnersModule],
  providers: [PartnerAuthGuard, AuthFailureThrottle],
  exports: [PartnersModule, PartnerAuthGuard, AuthFailureThrottle],
})
export class PartnerAuthModule {}
