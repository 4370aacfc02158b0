export * from './dto/create-partner.dto.js';
export * from './partner-credentials.js';
export * from './partner.entity.js';
export * from './partners.module.js';
export * from './partners.service.js';
