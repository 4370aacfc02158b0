// New mail at a steady rate into random mailboxes of a fake server, each message carrying a unique
// test id (Message-ID and X-Test-Id), so a stress run can tell exactly which mails arrived at the end.

import { buildMail } from '../mail-factory.js';
import type { FakeImapServer } from './fake-imap-server.js';
import { seededRandom } from './fault-script.js';

export interface GeneratedMail {
  testId: string;
  user: string;
  uid: number;
  /** Date.now() right after the message was stored (and IDLE-ing clients were told). */
  at: number;
}

export interface MailGeneratorOptions {
  /** Mailboxes to choose from, uniformly at random. */
  users: readonly string[];
  /** Mails per second, spread evenly over time. */
  ratePerSecond: number;
  /** Approximate size of each message in bytes (padded body). Default 1 KiB. */
  sizeBytes?: number;
  /** Seed of the mailbox choice. */
  seed?: number;
  /** Prefix of every test id, unique per run. Default `m`. */
  idPrefix?: string;
  /** Called for every stored mail. */
  onMail?: (mail: GeneratedMail) => void;
}

const TICK_MS = 5;
const TEST_DOMAIN = 'stress.test';

/** The Message-ID a test id travels in (with angle brackets, as envelopes report it). */
export function messageIdFor(testId: string): string {
  return `<${testId}@${TEST_DOMAIN}>`;
}

/** The test id inside a Message-ID produced by messageIdFor, or null for any other mail. */
export function testIdFromMessageId(messageId: string | null | undefined): string | null {
  const match = /^<?([^@<>]+)@stress\.test>?$/.exec(messageId ?? '');
  return match ? match[1] : null;
}

/** A plain text message of about `sizeBytes` bytes, identified by `testId`. */
export function stressMail(testId: string, to: string, sizeBytes = 1024): Buffer {
  const head = buildMail({ to, messageId: messageIdFor(testId), subject: `Stress ${testId}`, body: '' });
  const line = `${'x'.repeat(74)}\r\n`;
  const lines = Math.max(1, Math.ceil((sizeBytes - head.length - 40) / line.length));
  return buildMail({
    to,
    messageId: messageIdFor(testId),
    subject: `Stress ${testId}`,
    headers: { 'X-Test-Id': testId },
    body: `test id ${testId}\r\n${line.repeat(lines)}`,
  });
}

export class MailGenerator {
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private sequence = 0;
  private dueAtStart = 0;
  private readonly random: () => number;
  private readonly sizeBytes: number;
  private readonly idPrefix: string;

  constructor(
    private readonly server: FakeImapServer,
    private readonly options: MailGeneratorOptions,
  ) {
    if (options.users.length === 0) throw new Error('MailGenerator: no users');
    this.random = seededRandom(options.seed ?? 1);
    this.sizeBytes = options.sizeBytes ?? 1024;
    this.idPrefix = options.idPrefix ?? 'm';
  }

  /** Mails stored so far. */
  get count(): number {
    return this.sequence;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = performance.now();
    this.dueAtStart = this.sequence;
    // A short tick and a catch-up count keep the rate exact even when the event loop is late.
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stores one mail now, to `user` or a random mailbox. */
  generateOne(user?: string): GeneratedMail {
    const to = user ?? this.options.users[Math.floor(this.random() * this.options.users.length)];
    const testId = `${this.idPrefix}-${++this.sequence}`;
    const uid = this.server.appendMessage(to, stressMail(testId, to, this.sizeBytes));
    const mail = { testId, user: to, uid, at: Date.now() };
    this.options.onMail?.(mail);
    return mail;
  }

  private tick(): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const due = this.dueAtStart + Math.floor(elapsed * this.options.ratePerSecond);
    while (this.sequence < due) this.generateOne();
  }
}
