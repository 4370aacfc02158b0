export * from './connections.module.js';
export * from './connections.service.js';
export * from './dto/connection-fields.dto.js';
export * from './dto/connection.response.js';
export * from './dto/create-connection.dto.js';
export * from './partner-connection.entity.js';
