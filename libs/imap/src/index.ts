export * from './concurrency-limiter.js';
export * from './imap-client.module.js';
export * from './pipeline/mail-log.entity.js';
export { type FetchedMessage, NewMailPipeline, type PipelineOutcome } from './pipeline/new-mail-pipeline.service.js';
export * from './pipeline/seed-envelope.js';
export * from './session/reconnect-policy.js';
export * from './session/session-manager.service.js';
