export type { MailboxAccount, MailboxCursor, MailboxServer, MailboxUser } from './mailbox-account.js';
export { MailboxAccounts, toMailboxServer } from './mailbox-accounts.service.js';
export { MailboxStates } from './mailbox-states.service.js';
export { type OperatorUserFilter, OperatorUsersQuery, type OperatorUserView } from './operator-users.query.js';
export { SignedUserUrls, USER_URL_TTL_SECONDS, type UserUrlAction, type VerifiedUserLink } from './signed-user-urls.js';
export {
  type CredentialChange,
  CredentialsError,
  type MailboxLogin,
  UserCredentials,
} from './user-credentials.service.js';
export {
  type DeliveryTarget,
  type DeliveryTargetColumns,
  type LinkTarget,
  UserDirectory,
} from './user-directory.service.js';
export { USER_STATES, type UserState } from './user.entity.js';
export { API_USER_STATES, type ApiUserState, apiState, apiStateCondition, hasCredentials } from './user-status.js';
export { UserErrors } from './users.errors.js';
export { OperatorUsersModule, UsersModule } from './users.module.js';
export { type OperatorUserChange, type OperatorUserDetail, UsersService } from './users.service.js';
export { WatchableUsersQuery } from './watchable-users.query.js';
