// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/partners` (base RSS).
export { PartnerApi } from './api/partner-api.decorator.js';
export { CreatePartnerDto } from './dto/create-partner.dto.js';
export { UpdatePartnerDto } from './dto/update-partner.dto.js';
