import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};
const URL_OPTIONS = { require_tld: false, require_protocol: true } as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every environment variable SuperIMAP reads, with its default and meaning.
 * Durations are in seconds (decimals allowed, so tests can run fast clusters).
 */
export class AppConfig {
  /**
   * `production` turns on the strict rules (required secrets, SSRF guard). Unset means development on
   * loopback only: a non-loopback PUBLIC_URL or LISTEN_ADDRESS then needs an explicit NODE_ENV.
   */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** PostgreSQL connection URL. */
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/superimap';

  /** Redis connection URL (jobs, heartbeats, leases, change notifications). */
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * A Redis Cluster's startup nodes (`host:port,host:port`); when set, REDIS_URL gives only the credentials and
   * TLS. Every key is hash-tagged (see redis-keys.ts), so nothing else changes.
   */
  @IsOptional()
  @Matches(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port',
  })
  REDIS_CLUSTER_NODES?: string = undefined;

  /** Prefix for every Redis key, so several installations can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'REDIS_PREFIX may hold letters, digits, ":", "_" and "-" only' })
  REDIS_PREFIX = 'superimap';

  /** HTTP port of the api role. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** Address the HTTP server binds; all interfaces by default, 127.0.0.1 when NODE_ENV is unset. */
  @IsOptional()
  @IsIP()
  LISTEN_ADDRESS?: string = undefined;

  /** Port of /health and /metrics for the imap-client and worker roles. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  HEALTH_PORT = 3001;

  /**
   * Serve /metrics and the detailed /health on this port (on METRICS_ADDRESS) instead of the role's port;
   * unset: on the role's port, guarded by METRICS_TOKEN.
   */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number = undefined;

  /** Address the METRICS_PORT listener binds. */
  @IsIP()
  METRICS_ADDRESS = '127.0.0.1';

  /**
   * Bearer token for /metrics and the detailed /health (node id, cluster view). Unset: open outside
   * production, refused in production (unless on METRICS_PORT).
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string = undefined;

  /** Public base URL of the api, used in connect/disconnect URLs. */
  @IsUrl({ ...URL_OPTIONS, protocols: ['http', 'https'] })
  PUBLIC_URL = 'http://localhost:3000';

  /** Encryption keys for secrets at rest, comma-separated, newest first; `id:secret` or just `secret`. */
  @IsString()
  @IsNotEmpty()
  ENCRYPTION_KEY = '';

  /** Server secret for signed connect URLs and sessions. */
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'SECRET_KEY_BASE must be at least 32 characters long' })
  SECRET_KEY_BASE = '';

  /** Most mailbox sessions one imap-client process holds. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  MAX_USER_THREADS = 500;

  /** Concurrent fetch-and-store jobs per imap-client process. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  NUM_WORKER_THREADS = 5;

  /** Largest message, in bytes, whose source is fetched; larger ones yield a truncated event. */
  @Transform(toNumber)
  @IsInt()
  @Min(1024)
  MAX_EMAIL_SIZE = 1_048_576;

  /** Messages per second a backfill sends per mailbox, so a mailbox's history never crowds out its live mail. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.01)
  BACKFILL_RATE = 10;

  /** Seconds between tracer rounds. */
  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  TRACER_INTERVAL = 600;

  /** Tracer emails sent per round. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  NUM_TRACERS = 3;

  /** Seconds after sending by which a tracer must be detected, or it counts as missing. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  TRACER_TIMEOUT = 300;

  /** Seconds between the seed-style log-metrics lines (`measure#…`); 0 turns them off. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  METRICS_LOG_INTERVAL = 60;

  /** Heroku's dyno name; when set, log-metrics lines start with `source=<DYNO>`. */
  @IsOptional()
  @IsString()
  @Matches(/^\S+$/, { message: 'DYNO must not contain spaces' })
  DYNO?: string = undefined;

  /** Seconds between imap-client heartbeats. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  HEARTBEAT_INTERVAL = 10;

  /** Seconds after which a silent imap-client counts as dead. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.3)
  HEARTBEAT_TIMEOUT = 30;

  /** Seconds after which IDLE is re-issued (servers drop IDLE after 29 minutes). */
  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  @Max(1740)
  IDLE_RESTART_INTERVAL = 300;

  /**
   * Seconds after a sync (the session back in IDLE) at which a NOOP checks the mailbox once more: a server
   * that hibernates idle sessions (Dovecot's imap_hibernate_timeout) drops a change notification pending
   * at that moment. 0 turns the check off.
   */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(1740)
  IDLE_HIBERNATION_CHECK = 7;

  /** Seconds of silence after which a NOOP probes an IMAP connection; no answer in as long again → reconnect. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.5)
  IMAP_SOCKET_TIMEOUT = 120;

  /** Most IMAP connection attempts (TCP + TLS + login) in flight at once per imap-client process. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  IMAP_CONNECT_CONCURRENCY = 20;

  /** Seconds between sweeps that re-queue pending webhook events without a job. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  OUTBOX_SWEEP_INTERVAL = 30;

  /** Seconds between polls for servers without IDLE. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  POLL_INTERVAL = 60;

  /** Seconds a webhook receiver has to answer. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  WEBHOOK_TIMEOUT = 30;

  /** Delivery attempts before an event is marked failed. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_MAX_ATTEMPTS = 6;

  /** Base delay in seconds of the exponential retry schedule (doubling, with jitter). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  WEBHOOK_BACKOFF = 10;

  /** Most deliveries in flight to one partner per worker process, so a slow partner cannot starve others. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_PARTNER_CONCURRENCY = 25;

  /** Hours a delivered message's raw body is kept in the outbox (0: dropped on delivery). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  EVENT_BODY_RETENTION = 0;

  /** Hours a finished (delivered or failed) event and its delivery attempts are kept (0: forever). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  EVENT_RETENTION = 2160;

  /** Hours a mail log row (UID, Message-ID, hash of each message seen) is kept (0: forever). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  MAIL_LOG_RETENTION = 4320;

  /** Hours an archived user's credentials are kept, so a restore needs none (0: forever). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  ARCHIVED_CREDENTIALS_RETENTION = 720;

  /** Seconds between retention purges, run by one worker at a time (0: never). */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  RETENTION_PURGE_INTERVAL = 3600;

  /** Parallel webhook deliveries per worker process. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_CONCURRENCY = 50;

  /** Allow webhook targets on private networks; defaults to true outside production. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE?: boolean = undefined;

  /** Allow plain-http webhook URLs; defaults to true outside production (payloads carry mail and the API key). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP?: boolean = undefined;

  /** API requests per partner per minute. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  API_RATE_LIMIT = 6000;

  /** Seconds without a request after which an admin session ends. */
  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  ADMIN_SESSION_IDLE_TIMEOUT = 1800;

  /** Seconds after sign-in at which an admin session ends however busy it is. */
  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  ADMIN_SESSION_MAX_AGE = 43_200;
  /** Wrong API keys one client address may send per minute before it gets 429. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  API_AUTH_FAILURE_LIMIT = 30;

  /** pino log level. */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get allowPrivateWebhookTargets(): boolean {
    return this.WEBHOOK_ALLOW_PRIVATE ?? !this.isProduction;
  }

  get allowHttpWebhookTargets(): boolean {
    return this.WEBHOOK_ALLOW_HTTP ?? !this.isProduction;
  }
}

/** Names of every variable, in declaration order (used by the CLI help and the .env.example test). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(new AppConfig());
