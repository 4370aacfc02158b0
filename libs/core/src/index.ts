export { exitCleanlyOnSignals, type RoleSpec, startRole } from './bootstrap/start-role.js';
export { AppConfig, CONFIG_VARIABLES, type LogLevel } from './config/app-config.js';
export { loadConfigFromProcess } from './config/environment.js';
export { ConfigError, parseConfig } from './config/load-config.js';
export { CoreModule } from './core.module.js';
export { rotateEncryptionKeys } from './crypto/key-rotation.js';
export { SecretBox, SecretDecryptionError, type SecretLocation } from './crypto/secret-box.js';
export { dataSourceOptions } from './database/data-source-options.js';
export { ensureDatabase } from './database/ensure-database.js';
export { GroupedLookup } from './database/grouped-lookup.js';
export { GroupedWrite } from './database/grouped-write.js';
export { HotQueries } from './database/hot-queries.js';
export { timeOrderedId } from './database/time-ordered-id.js';
export { CoreErrors, DomainError, type ErrorKind } from './errors/domain-error.js';
export { type ErrorBody, errorBody } from './errors/error-body.js';
export { errorPage } from './errors/error-page.js';
export { type HealthContributor, HealthService } from './health/health.service.js';
export { createRootLogger, NODE_ID } from './logging/logger.js';
export { ROOT_LOGGER } from './logging/logging.module.js';
export {
  formatLogMetrics,
  type LogFigure,
  type LogMetricMode,
  parseLogMetrics,
  type ParsedLogMetrics,
} from './metrics/log-metrics.js';
export { type LogFigureSource, LogMetrics } from './metrics/log-metrics.service.js';
export { MetricsService } from './metrics/metrics.service.js';
export { type Bucketed, bucketStartSql, lastHours, type TimeWindow } from './metrics/time-buckets.js';
export { escapeHtml } from './pages/escape-html.js';
export { PAGE_HEADERS, type PageOptions, renderPage, SITE_CSS } from './pages/page-layout.js';
export {
  assertAllowedScheme,
  assertPublicUrl,
  BlockedAddressError,
  InsecureWebhookUrlError,
  isBlockedAddress,
  publicOnlyLookup,
} from './network/ssrf-guard.js';
export { type UserChange, UserChangeNotifier } from './notifications/user-changes.js';
export { type KeysetPage, keysetPage, setNextCursorHeader } from './pagination/keyset-page.js';
export { decodeCursor, encodeCursor, type PagePosition } from './pagination/page-cursor.js';
export {
  OUTBOX_QUEUE,
  OUTBOX_SWEEP_JOB,
  OUTBOX_SWEEP_SCHEDULER,
  TRACER_SEND_JOB,
  TRACERS_QUEUE,
  type TracerSendJob,
  WEBHOOK_DELIVER_JOB,
  type WebhookDeliverJob,
  WEBHOOKS_QUEUE,
} from './queue/queues.js';
export { GroupedFlush } from './queue/grouped-flush.js';
export { RedisService } from './redis/redis.module.js';
export { parseClusterNodes, type RedisClient, redisCredentials } from './redis/redis-connection.js';
export { bullPrefix, installationKeyPattern, redisKey } from './redis/redis-keys.js';
export { IsTimestamp, isUuid, isValidTimestamp } from './validation/input-formats.js';
