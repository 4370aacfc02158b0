// IPC of the bare imapflow reference process (see holder-process.ts).

export interface HolderAccount {
  host: string;
  port: number;
  username: string;
  password: string;
}

export type HolderRequest =
  /** Opens one IDLE session per account, `concurrency` handshakes at a time. */
  | { op: 'connect'; accounts: HolderAccount[]; concurrency: number }
  | { op: 'eventLoop' }
  | { op: 'resetEventLoop' }
  | { op: 'close' };

export interface HolderConnectResult {
  ms: number;
  connected: number;
  failed: number;
  firstError?: string;
}

/** Event-loop delay in milliseconds, as perf_hooks measures it (the same source as prom-client's). */
export interface EventLoopFigures {
  p50: number;
  p99: number;
  max: number;
  /** V8 heap in use, bytes (process.memoryUsage().heapUsed). */
  heapUsedBytes: number;
}

export type HolderMessage =
  | { type: 'ready' }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  /** New mail seen (EXISTS grew) in a session. */
  | { type: 'exists'; username: string; newMessages: number; at: number };
