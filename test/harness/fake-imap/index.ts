// Public surface of the fake IMAP server harness.
export {
  FakeImapServer,
  type AddUserOptions,
  type AppendOptions,
  type FakeImapServerOptions,
  type ListenAddress,
  type MessageInfo,
  type SetUidValidityOptions,
} from './fake-imap-server.js';
export {
  THROTTLE,
  type ChaosOptions,
  type FaultAction,
  type FaultHandle,
  type FaultRule,
  type FaultTiming,
  type FaultType,
} from './fault-script.js';
export type { FlagChange, ServerTotals, UserStats } from './server-stats.js';
export type { HandshakeChange } from './handshake-timeline.js';
export { GMAIL_ALL_MAIL, INBOX } from './mailbox-store.js';
export {
  MailGenerator,
  messageIdFor,
  stressMail,
  testIdFromMessageId,
  type GeneratedMail,
  type MailGeneratorOptions,
} from './mail-generator.js';
