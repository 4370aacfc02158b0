// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/imap` (base RSS).
export { BackfillsApiModule } from './backfill/api/backfills-api.module.js';
export { type BackfillResponse, toBackfillResponse } from './backfill/api/backfill.dto.js';
