// The HTTP surface of this lib: what the partner API (api role) and the admin pages need, and only they: it loads
// @nestjs/swagger, which the imap-client and worker roles never load through `@app/users` (base RSS).
export { UsersApiModule } from './api/users-api.module.js';
export { CreateUserDto } from './dto/create-user.dto.js';
export { UpdateUserDto } from './dto/update-user.dto.js';
