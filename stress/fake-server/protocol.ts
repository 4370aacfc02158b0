// Messages between a stress/bench runner and the fake IMAP server it runs as a child process.
// The server lives in its own process so that neither its CPU nor its file descriptors (one per
// connection) count against the process being measured.

import type {
  ChaosOptions,
  FaultRule,
  GeneratedMail,
  ServerTotals,
  UserStats,
} from '../../test/harness/fake-imap/index.js';

export interface FakeServerConfig {
  /** Addresses to listen on: several 127.0.0.x addresses keep clients clear of one port's ephemeral range. */
  listen: Array<{ host: string; port?: number }>;
  backlog?: number;
  /** Events kept per user for diagnosis (0: off; costs memory with many users). */
  traceUsers?: number;
  idPrefix: string;
  seed: number;
}

export type FakeServerRequest =
  | { op: 'addUsers'; usernames: string[]; password: string }
  | { op: 'startGenerating'; ratePerSecond: number; sizeBytes: number; usernames?: string[] }
  | { op: 'stopGenerating' }
  /** One mail to each named mailbox, now; answers with what was stored. */
  | { op: 'append'; usernames: string[]; sizeBytes: number }
  | { op: 'setChaos'; chaos: ChaosOptions | null }
  | { op: 'script'; rules: FaultRule[] }
  | { op: 'stats' }
  /** What the server knows about one mailbox, to explain a lost mail. */
  | { op: 'userInfo'; username: string }
  | { op: 'resetPeakHandshakes' }
  /** Handshakes in progress over time (HandshakeChange[]), to add servers up at the same moment. */
  | { op: 'handshakeTimeline' }
  | { op: 'close' };

export interface FakeServerStats {
  totals: ServerTotals;
  idling: number;
  handshakes: { inProgress: number; peak: number };
  generated: number;
  accounts: number;
}

export interface FakeUserInfo {
  stats: UserStats;
  uidValidity: number;
  messages: number;
  highestUid: number;
  trace: readonly string[];
}

/** Child → parent. Generated mails are streamed in batches, as they happen. */
export type FakeServerMessage =
  | { type: 'ready'; addresses: Array<{ host: string; port: number }> }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'generated'; mails: GeneratedMail[] };

export interface FakeServerEnvelope {
  id: number;
  request: FakeServerRequest;
}
