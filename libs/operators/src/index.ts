export * from './admin-user.entity.js';
export * from './admin-users.service.js';
export * from './admin.module.js';
export * from './dto/create-admin.dto.js';
