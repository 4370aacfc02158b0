export { BUILTIN_PROVIDERS } from './builtin-providers.js';
export { ImapProvider, type ProviderAuth, type TransportSecurity } from './imap-provider.entity.js';
export { ProviderErrors } from './providers.errors.js';
export { ProvidersModule } from './providers.module.js';
export { type ProviderDefinition, ProvidersService } from './providers.service.js';
