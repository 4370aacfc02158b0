import { isUuid } from '@app/core';
import { BackfillRequests, BackfillsModule } from '@app/imap';
import { toBackfillResponse } from '@app/imap/http';
import { API_USER_STATES, type ApiUserState, OperatorUsersModule, OperatorUsersQuery } from '@app/users';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap users list [--partner ID] [--connection CODE] [--tag TAG] [--state STATE]
       superimap users show --tag TAG [--partner ID] [--connection CODE]
       superimap users state [--partner ID] [--connection CODE]
       superimap users backfill --partner ID --connection CODE --tag TAG [--since ISO-DATE] [--until ISO-DATE]
       superimap users backfill --partner ID --connection CODE --tag TAG --show ID | --cancel ID
states: ${API_USER_STATES.join(', ')}`;

const FILTER_FLAGS = {
  partner: { type: 'string' as const },
  connection: { type: 'string' as const },
  tag: { type: 'string' as const },
  state: { type: 'string' as const },
};

/** Users across partners, as an operator needs them without the admin pages (never a credential). */
export async function usersCommand([action, ...args]: string[]): Promise<unknown> {
  if (action === 'backfill') return backfillCommand(args);
  if (action !== 'list' && action !== 'show' && action !== 'state') throw new CliError(USAGE, USAGE_ERROR);
  const flags = parseFlags(args, FILTER_FLAGS);
  const state = flags.state as string | undefined;
  if (state !== undefined && !(API_USER_STATES as readonly string[]).includes(state)) {
    throw new CliError(`--state must be one of: ${API_USER_STATES.join(', ')}`, USAGE_ERROR);
  }
  if (action === 'show' && typeof flags.tag !== 'string') throw new CliError('--tag is required', USAGE_ERROR);
  const filter = {
    partnerId: flags.partner as string | undefined,
    providerCode: flags.connection as string | undefined,
    tag: flags.tag as string | undefined,
    state: state as ApiUserState | undefined,
  };
  return withCommandContext([OperatorUsersModule], async (context) => {
    const query = context.get(OperatorUsersQuery);
    if (action === 'state') return query.stateSummary(filter);
    const users = await query.list(filter);
    if (action === 'list') return users;
    if (users.length === 0) throw new CliError(`no user with tag '${filter.tag}'`, 1);
    return users.length === 1 ? users[0] : users; // one tag may exist under several partners
  });
}

/** `users backfill`: asks the imap-client owning the mailbox to deliver its history (or shows or cancels that). */
async function backfillCommand(args: string[]): Promise<unknown> {
  const flags = parseFlags(args, {
    ...FILTER_FLAGS,
    since: { type: 'string' },
    until: { type: 'string' },
    show: { type: 'string' },
    cancel: { type: 'string' },
  });
  const { partner, connection, tag, since, until, show, cancel } = flags as Record<string, string | undefined>;
  if (!partner || !connection || !tag)
    throw new CliError(`--partner, --connection and --tag are required\n${USAGE}`, USAGE_ERROR);
  if (!isUuid(partner)) throw new CliError('--partner must be a partner id', USAGE_ERROR);
  if (show && cancel) throw new CliError('give --show or --cancel, not both', USAGE_ERROR);
  return withCommandContext(
    [BackfillsModule],
    async (context) => {
      const requests = context.get(BackfillRequests);
      if (show) return toBackfillResponse(await requests.get(partner, connection, tag, show));
      if (cancel) return toBackfillResponse(await requests.cancel(partner, connection, tag, cancel));
      return toBackfillResponse(await requests.request(partner, connection, tag, { since, until }));
    },
    { queues: true },
  );
}
