import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The fields that name a mailbox in its session's log lines, as partners know it. */
export interface MailboxLogFields {
  user: string;
  tag?: string;
  partner?: string;
  connection?: string;
}

/**
 * A session's log: the one logger shared by every session, with the mailbox's fields added to each line.
 * A pino child per session would keep its own logger object and serialised bindings for each of thousands
 * of idle mailboxes that mostly never log; this keeps one small object, and builds a line only when its
 * level is enabled. Lines read as a child's would: the same fields, the same order.
 */
export class MailboxLog {
  constructor(
    private readonly logger: Logger,
    private fields: MailboxLogFields,
  ) {}

  /** Names the mailbox in the lines that follow (once its account is loaded). */
  name(fields: MailboxLogFields): void {
    this.fields = fields;
  }

  isLevelEnabled(level: Level): boolean {
    return this.logger.isLevelEnabled(level);
  }

  debug(detail: object | string, message?: string): void {
    this.write('debug', detail, message);
  }

  info(detail: object | string, message?: string): void {
    this.write('info', detail, message);
  }

  warn(detail: object | string, message?: string): void {
    this.write('warn', detail, message);
  }

  error(detail: object | string, message?: string): void {
    this.write('error', detail, message);
  }

  private write(level: Level, detail: object | string, message?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    if (typeof detail === 'string') this.logger[level](this.fields, detail);
    else this.logger[level]({ ...this.fields, ...detail }, message);
  }
}
