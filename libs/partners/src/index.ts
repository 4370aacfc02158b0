export { CurrentPartner } from './api/current-partner.decorator.js';
export {
  type PartnerDeliveryProfile,
  PartnerDeliveryProfiles,
  type PartnerProfileColumns,
} from './partner-delivery-profiles.js';
export { Partner } from './partner.entity.js';
export { PartnerErrors } from './partners.errors.js';
export { PartnerAuthModule, PartnersModule } from './partners.module.js';
export { type CreatedPartner, type PartnerSigningKeys, PartnersService } from './partners.service.js';
