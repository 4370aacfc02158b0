import { API_USER_STATES, type ApiUserState, OperatorUsersModule, OperatorUsersQuery } from '@app/users';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap users list [--partner ID] [--connection CODE] [--tag TAG] [--state STATE]
       superimap users show --tag TAG [--partner ID] [--connection CODE]
       superimap users state [--partner ID] [--connection CODE]
states: ${API_USER_STATES.join(', ')}`;

const FILTER_FLAGS = {
  partner: { type: 'string' as const },
  connection: { type: 'string' as const },
  tag: { type: 'string' as const },
  state: { type: 'string' as const },
};

/** Users across partners, as an operator needs them without the admin pages (never a credential). */
export async function usersCommand([action, ...args]: string[]): Promise<unknown> {
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
