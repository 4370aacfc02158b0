export { BACKFILL_STATUSES, type Backfill, type BackfillStatus } from './backfill/backfill.entity.js';
export { type BackfillInput, BackfillRequests } from './backfill/backfill-requests.service.js';
export { BackfillsModule, EventBodyRefetchModule } from './backfill/backfill.module.js';
export { imapFlowOptions, type LoginCheck, ImapConnector, type OpenedMailbox } from './connector/imap-connector.js';
export { ImapClientModule } from './imap-client.module.js';
export { ImapErrors } from './imap.errors.js';
export { ImapModule } from './imap.module.js';
export { MailActivity } from './stats/mail-activity.query.js';
export { MailStatsModule } from './stats/mail-stats.module.js';
export { DataRetentionModule } from './retention/data-retention.module.js';
export { DataRetention, type PurgeReport } from './retention/data-retention.service.js';
export {
  type FetchedMessage,
  NewMailPipeline,
  PendingJobs,
  type PipelineOutcome,
} from './pipeline/new-mail-pipeline.service.js';
export { RecentMail, type SeenMessage } from './pipeline/recent-mail.query.js';
export { type SessionState } from './session/mailbox-session.js';
export { SessionManager } from './session/session-manager.service.js';
