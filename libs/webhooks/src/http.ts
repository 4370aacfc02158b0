// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/webhooks` (base RSS).
export { EventsApiModule } from './api/events-api.module.js';
