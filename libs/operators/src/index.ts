export { AdminUsersService, DEFAULT_ADMIN } from './admin-users.service.js';
export { CreateAdminDto } from './dto/create-admin.dto.js';
export { OperatorErrors } from './operators.errors.js';
export { OperatorsModule } from './operators.module.js';
