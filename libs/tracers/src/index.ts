export * from './tracer-log.entity.js';
export * from './tracers.module.js';
export * from './tracers.service.js';
