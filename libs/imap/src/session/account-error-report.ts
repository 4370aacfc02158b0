import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { MailboxStates, type MailboxAccount } from '@app/users';
import { EventOutbox } from '@app/webhooks';

/**
 * When a connect_error has lasted this long, or this many reconnects in a row failed, the partner is told.
 * A single network blip or server restart must not page anyone; an auth_error is reported at once.
 */
export const LASTING_CONNECT_ERROR = { ms: 10 * 60_000, failures: 5 };

export interface AccountProblem {
  state: 'auth_error' | 'connect_error';
  error: string;
  since: Date;
}

/**
 * Tells the partner, once per outage, that a mailbox cannot be reached: an `account_error` event through the
 * outbox (signed and retried like every webhook). The mark on the user makes it once across processes and
 * restarts; a successful login clears it (MailboxStates).
 */
@Injectable()
export class AccountErrorReport {
  constructor(
    private readonly dataSource: DataSource,
    private readonly states: MailboxStates,
    private readonly outbox: EventOutbox,
  ) {}

  /** Returns the event id, or null when this outage was already reported. */
  async report(account: MailboxAccount, problem: AccountProblem): Promise<string | null> {
    const eventId = await this.dataSource.transaction(async (manager) => {
      if (!(await this.states.markAccountErrorReported(manager, account.user.id))) return null;
      return this.outbox.record(manager, {
        partnerId: account.partnerId,
        userId: account.user.id,
        type: 'account_error',
        metadata: { state: problem.state, error: problem.error, since: problem.since.toISOString() },
      });
    });
    if (eventId) await this.outbox.enqueue(eventId, account.partnerId).catch(() => undefined); // the sweeper queues it otherwise
    return eventId;
  }
}
