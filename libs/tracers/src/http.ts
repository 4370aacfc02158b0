// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/tracers` (base RSS).
export { TracersApiModule } from './api/tracers-api.module.js';
