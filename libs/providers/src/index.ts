export * from './builtin-providers.js';
export * from './dto/create-provider.dto.js';
export * from './imap-provider.entity.js';
export * from './providers.module.js';
export * from './providers.service.js';
