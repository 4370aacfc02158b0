import type { ProviderAuth, TransportSecurity } from '@app/providers';

/** The IMAP and SMTP side of a mailbox's provider: where to connect and how. */
export interface MailboxServer {
  code: string;
  auth: ProviderAuth;
  imapHost: string;
  imapPort: number;
  imapSecurity: TransportSecurity;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpSecurity: TransportSecurity | null;
}

/** The mailbox-related facts about a user, without any credential. */
export interface MailboxUser {
  id: string;
  tag: string;
  email: string | null;
  createdAt: Date;
  enableTracer: boolean;
  lastUid: number | null;
  lastUidValidity: number | null;
  /** INTERNALDATE of the newest message recorded, for catching up by date after a UIDVALIDITY change. */
  lastInternalDate: Date | null;
  /** Set on an authentication failure; cleared when credentials change. */
  authFailedAt: Date | null;
}

/** A plain read model of one watchable mailbox: what the imap lib needs, nothing secret. */
export interface MailboxAccount {
  partnerId: string;
  connectionId: string;
  user: MailboxUser;
  provider: MailboxServer;
}

export interface MailboxCursor {
  uid: number;
  uidValidity: number;
  internalDate?: Date | null;
  /** Set when a message was recorded (not when only the cursor moved). */
  emailAt?: Date;
}
