/** What a new_mail event says about its message: enough to find it again in its mailbox. */
export interface RetainedMessageRef {
  eventId: string;
  userId: string;
  uid: number;
  uidValidity: number;
  sha1: string | null;
}

/**
 * Reads a delivered message again when its stored body was dropped (EVENT_BODY_RETENTION), so a
 * redelivery can send the same bytes. Implemented where mailboxes can be opened (the imap lib); absent
 * where none is registered, and then such a redelivery is refused as before.
 */
export abstract class EventBodySource {
  /** The message's bytes; throws a DomainError saying why when it can no longer be read. */
  abstract refetch(message: RetainedMessageRef): Promise<Buffer>;
}
