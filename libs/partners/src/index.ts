export * from './dto/create-partner.dto.js';
export * from './partner-credentials.js';
export * from './partner.entity.js';
export * from './partners.module.js';
export * from './partners.service.js';
export * from './api/current-partner.decorator.js';
export * from './api/partner-api.decorator.js';
export * from './api/partner-auth.guard.js';
