import type { FetchMessageObject, ImapFlow, ImapFlowOptions } from 'imapflow';

import type { FetchedMessage } from '../pipeline/new-mail-pipeline.service.js';

/**
 * Untagged FETCH rows one command may bring beyond those asked for. Servers may add unsolicited flag
 * updates to any answer, so a few are legal; thousands mean a flooding server, and the connection is dropped.
 */
const UNSOLICITED_ROWS_ALLOWED = 1000;
/** Room for the rest of one response around its largest literal (ENVELOPE, UID, framing). */
const RESPONSE_FRAMING_BYTES = 1024 * 1024;
/** A literal-free response (a SEARCH of many UIDs) may still be this large: about a million UIDs. */
const MIN_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Parse-tree nodes in one response (imapflow's default, 1,000,000, is about 100 MB of heap). */
const MAX_RESPONSE_TOKENS = 200_000;
/** imapflow error codes meaning "the server sent more than the limits allow". */
const LIMIT_ERRORS = new Set(['LiteralTooLarge', 'ResponseTooLarge', 'LineTooLarge']);

/**
 * imapflow's parser limits (1 GB literals, 2 GB responses by default), derived from the largest message
 * whose source is ever read: nothing the server sends may be much larger than MAX_EMAIL_SIZE + 1 bytes.
 */
export function imapResponseLimits(
  maxEmailSize: number,
): Pick<ImapFlowOptions, 'maxLiteralSize' | 'maxResponseSize' | 'maxResponseTokens'> {
  const maxLiteralSize = Math.max(maxEmailSize + 1, RESPONSE_FRAMING_BYTES);
  return {
    maxLiteralSize,
    maxResponseSize: Math.max(maxLiteralSize + RESPONSE_FRAMING_BYTES, MIN_RESPONSE_BYTES),
    maxResponseTokens: MAX_RESPONSE_TOKENS,
  };
}

/** The server sent a literal beyond the parser's limits (the message is larger than MAX_EMAIL_SIZE). */
export class SourceTooLargeError extends Error {
  constructor(message: string) {
    super(`the source of ${message} is larger than the parser allows`);
    this.name = 'SourceTooLargeError';
  }
}

/** The server sent far more FETCH rows than were asked for. */
export class FetchFloodError extends Error {
  constructor(command: string) {
    super(`the server flooded ${command} with more than ${UNSOLICITED_ROWS_ALLOWED} unrequested FETCH rows`);
    this.name = 'FetchFloodError';
  }
}

/**
 * UID, INTERNALDATE, RFC822.SIZE and ENVELOPE of `uids`. Holds one entry per UID asked for, whatever the
 * server sends: rows of one message are merged (a server may split an answer), rows for other UIDs are
 * dropped, and too many extra rows end the command with a flood error.
 */
export async function fetchMetadata(client: ImapFlow, uids: number[]): Promise<FetchedMessage[]> {
  const wanted = new Set(uids);
  const found = new Map<number, Pick<FetchMessageObject, 'internalDate' | 'size' | 'envelope'>>();
  let extraRows = 0;
  const rows = client.fetch(
    uids.join(','),
    { uid: true, envelope: true, internalDate: true, size: true },
    { uid: true },
  );
  for await (const row of rows) {
    const seen = found.get(row.uid);
    // A row with none of the items asked for is an unsolicited flag update, even for a UID asked for.
    const usable = wanted.has(row.uid) && (row.internalDate || row.envelope || row.size !== undefined);
    if ((!usable || seen) && ++extraRows > UNSOLICITED_ROWS_ALLOWED) {
      throw new FetchFloodError('a metadata FETCH');
    }
    if (!usable) continue;
    found.set(row.uid, {
      internalDate: seen?.internalDate ?? row.internalDate,
      size: seen?.size ?? row.size,
      envelope: seen?.envelope ?? row.envelope,
    });
  }
  return [...found]
    .map(([uid, row]) => ({
      uid,
      internalDate: new Date(row.internalDate ?? Date.now()),
      size: row.size ?? 0,
      envelope: row.envelope,
    }))
    .sort((a, b) => a.uid - b.uid);
}

/**
 * The source of message `uid`, read with a partial FETCH (`BODY.PEEK[]<0.maxBytes+1>`) so a server never has
 * to send more than one byte past the limit. Resolves null when more than `maxBytes` arrived, whether the
 * server honoured the partial or not, or when it announced a literal beyond imapflow's limits (the
 * connection is then closed by imapflow). Throws when the message could not be read.
 */
export async function fetchSourceAtMost(client: ImapFlow, uid: number, maxBytes: number): Promise<Buffer | null> {
  let limitExceeded = false;
  const onError = (error: { code?: string }): void => {
    if (error.code && LIMIT_ERRORS.has(error.code)) limitExceeded = true;
  };
  client.on('error', onError);
  try {
    let source: Buffer | undefined;
    let unsolicited = 0;
    const rows = client.fetch(String(uid), { uid: true, source: { start: 0, maxLength: maxBytes + 1 } }, { uid: true });
    for await (const row of rows) {
      if (row.uid !== uid || !row.source || source) {
        if (++unsolicited > UNSOLICITED_ROWS_ALLOWED) throw new FetchFloodError('a source FETCH');
        continue;
      }
      source = row.source;
      if (source.length > maxBytes) return null;
    }
    if (!source) throw new Error(`message UID ${uid} could not be read`);
    return source;
  } catch (error) {
    if (limitExceeded) return null;
    throw error;
  } finally {
    client.off('error', onError);
  }
}

/** A message read with one FETCH: its metadata, and its source unless more than the limit arrived. */
export interface WholeMessage {
  message: FetchedMessage;
  source: Buffer | null;
}

/**
 * Metadata and source of message `uid` in ONE FETCH, the source limited as in fetchSourceAtMost. Resolves
 * null when the server has no such message (expunged meanwhile). Throws when it could not be read, also
 * when the source broke imapflow's limits (the connection is then closed; such a message is read in two
 * steps next time, so that its metadata still arrives). Rows of this UID are merged; others are ignored
 * up to the flood limit.
 */
export function fetchWholeAtMost(client: ImapFlow, uid: number, maxBytes: number): Promise<WholeMessage | null> {
  const matches = (row: Row) => row.uid === uid;
  return fetchWhole(client, { range: String(uid), byUid: true, name: `message UID ${uid}`, matches }, maxBytes);
}

/**
 * The same read of the message at sequence number `seq`, for when the session knows which sequence numbers
 * arrived since it last synced (no UID SEARCH needed). Its UID comes from the answer; an answer without a
 * usable UID counts as no message.
 */
export function fetchWholeAtSequence(client: ImapFlow, seq: number, maxBytes: number): Promise<WholeMessage | null> {
  const matches = (row: Row) => row.seq === seq;
  return fetchWhole(client, { range: String(seq), byUid: false, name: `message ${seq}`, matches }, maxBytes);
}

type Row = FetchMessageObject;

interface FetchTarget {
  range: string;
  byUid: boolean;
  /** How errors name the message. */
  name: string;
  /** Whether an answer row is about the message asked for (others are unsolicited). */
  matches: (row: Row) => boolean;
}

async function fetchWhole(client: ImapFlow, target: FetchTarget, maxBytes: number): Promise<WholeMessage | null> {
  let limitExceeded = false;
  const onError = (error: { code?: string }): void => {
    if (error.code && LIMIT_ERRORS.has(error.code)) limitExceeded = true;
  };
  let row: Partial<Row> | undefined;
  let extraRows = 0;
  client.on('error', onError);
  try {
    const rows = client.fetch(
      target.range,
      { uid: true, envelope: true, internalDate: true, size: true, source: { start: 0, maxLength: maxBytes + 1 } },
      { uid: target.byUid },
    );
    for await (const next of rows) {
      const usable =
        target.matches(next) && (next.internalDate || next.envelope || next.size !== undefined || next.source);
      // A split answer must not change UID midway (by sequence number, a part may omit the UID).
      const otherUid = next.uid !== undefined && row?.uid !== undefined && next.uid !== row.uid;
      if (!usable || (row?.source && next.source) || otherUid) {
        if (++extraRows > UNSOLICITED_ROWS_ALLOWED) throw new FetchFloodError('a FETCH');
        continue;
      }
      row = {
        uid: row?.uid ?? next.uid,
        internalDate: row?.internalDate ?? next.internalDate,
        size: row?.size ?? next.size,
        envelope: row?.envelope ?? next.envelope,
        source: row?.source ?? next.source,
      };
    }
  } catch (error) {
    throw limitExceeded ? new SourceTooLargeError(target.name) : error;
  } finally {
    client.off('error', onError);
  }
  if (!row || !isUid(row.uid)) return null;
  if (!row.source) throw new Error(`${target.name} could not be read`);
  return {
    message: {
      uid: row.uid,
      internalDate: new Date(row.internalDate ?? Date.now()),
      size: row.size ?? 0,
      envelope: row.envelope,
    },
    source: row.source.length > maxBytes ? null : row.source,
  };
}

/** A message's UID (RFC 3501: a positive 32-bit integer). */
function isUid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffff_ffff;
}
