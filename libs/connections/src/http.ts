// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/connections` (base RSS).
export { ConnectionFieldsDto } from './dto/connection-fields.dto.js';
export { ConnectionResponse } from './dto/connection.response.js';
export { CreateConnectionDto } from './dto/create-connection.dto.js';
