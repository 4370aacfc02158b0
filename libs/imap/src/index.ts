export * from './concurrency-limiter.js';
export * from './imap-client.module.js';
export * from './pipeline/mail-log.entity.js';
export * from './pipeline/seed-envelope.js';
export * from './session/reconnect-policy.js';
export * from './session/session-manager.service.js';
