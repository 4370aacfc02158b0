import type { MessageEnvelopeObject } from 'imapflow';

/** An address as the original SuperIMAP sent it (Ruby Net::IMAP::Address). */
export interface SeedAddress {
  name: string | null;
  route: null;
  mailbox: string | null;
  host: string | null;
}

export interface SeedEnvelope {
  date: string | null;
  subject: string | null;
  from: SeedAddress[];
  sender: SeedAddress[];
  reply_to: SeedAddress[];
  to: SeedAddress[];
  cc: SeedAddress[];
  bcc: SeedAddress[];
  in_reply_to: string | null;
  message_id: string | null;
}

/** The IMAP ENVELOPE in the seed's webhook shape; imapflow has already decoded subject and names to UTF-8. */
export function toSeedEnvelope(envelope: MessageEnvelopeObject | undefined): SeedEnvelope {
  const addresses = (list: { name?: string; address?: string }[] | undefined): SeedAddress[] =>
    (list ?? []).map(({ name, address }) => {
      const at = address?.lastIndexOf('@') ?? -1;
      return {
        name: name || null,
        route: null,
        mailbox: address ? (at >= 0 ? address.slice(0, at) : address) : null,
        host: address && at >= 0 ? address.slice(at + 1) : null,
      };
    });
  return {
    date: envelope?.date ? new Date(envelope.date).toISOString() : null,
    subject: envelope?.subject ?? null,
    from: addresses(envelope?.from),
    sender: addresses(envelope?.sender),
    reply_to: addresses(envelope?.replyTo),
    to: addresses(envelope?.to),
    cc: addresses(envelope?.cc),
    bcc: addresses(envelope?.bcc),
    in_reply_to: envelope?.inReplyTo ?? null,
    message_id: envelope?.messageId ?? null,
  };
}
