export { ConnectionErrors } from './connections.errors.js';
export { ConnectionsModule } from './connections.module.js';
export { ConnectionsService } from './connections.service.js';
export { type AccessToken, type OAuth2Client, OAuth2Error, OAuth2Tokens } from './oauth2/oauth2-tokens.js';
export { PartnerConnection } from './partner-connection.entity.js';
