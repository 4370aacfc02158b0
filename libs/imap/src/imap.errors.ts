import { DomainError } from '@app/core';

/** The error codes of backfills and of re-reading a message from its mailbox. */
export const ImapErrors = {
  invalidBackfillRange: (field: 'since' | 'until', reason: string) =>
    new DomainError('invalid', 'ValidationFailed', `${field} ${reason}`, [{ field, errors: [reason] }]),
  userNotConnected: (tag: string, reason: string) =>
    new DomainError('invalid', 'UserNotConnected', `User '${tag}' cannot be backfilled: ${reason}`),
  backfillInProgress: (id: string) =>
    new DomainError('conflict', 'BackfillInProgress', `Backfill ${id} of this mailbox has not finished yet`, {
      backfill_id: id,
    }),
  backfillNotFound: (id: string) => new DomainError('not_found', 'BackfillNotFound', `Backfill not found for '${id}'`),
  messageGone: (reason: string) =>
    new DomainError('conflict', 'MessageNoLongerInMailbox', `The message cannot be read again: ${reason}`),
};
