// Routes a parsed command to its handler: counts it, meets its fault, checks the state.
// Also holds the small stateless commands (CAPABILITY, NOOP, ID, IDLE...).

import { authenticate, login } from './auth-commands.js';
import { ImapSyntaxError, type ParsedCommand } from './imap-parser.js';
import type { ImapSession } from './imap-session.js';
import { close, list, select, status } from './mailbox-commands.js';
import { fetch, search, store } from './message-commands.js';

export type CommandHandler = (session: ImapSession, command: ParsedCommand) => void;

type Requirement = 'any' | 'unauthenticated' | 'authenticated' | 'selected';

const capability: CommandHandler = (session, { tag }) => {
  session.write(`* CAPABILITY ${session.capabilities()}\r\n`);
  session.complete(tag, 'OK', 'Capability completed.');
};

const noop: CommandHandler = (session, { tag, name }) => session.complete(tag, 'OK', `${name} completed.`);

const id: CommandHandler = (session, { tag }) => {
  const name = session.host.behavior.serverName.replace(/["\\]/g, '\\$&');
  session.write(`* ID ("name" "${name}" "vendor" "SuperIMAP tests")\r\n`);
  session.complete(tag, 'OK', 'ID completed.');
};

// Nothing this server does can be ENABLEd, so the list is always empty (RFC 5161 allows it)
const enable: CommandHandler = (session, { tag }) => {
  session.write('* ENABLED\r\n');
  session.complete(tag, 'OK', 'Enabled.');
};

const namespace: CommandHandler = (session, { tag }) => {
  session.write('* NAMESPACE (("" "/")) NIL NIL\r\n');
  session.complete(tag, 'OK', 'Namespace completed.');
};

const logout: CommandHandler = (session, { tag }) => {
  session.write('* BYE Logging out\r\n');
  session.complete(tag, 'OK', 'Logout completed.');
  session.endGracefully();
};

const idle: CommandHandler = (session, { tag }) => {
  if (!session.host.behavior.idle) return session.complete(tag, 'BAD', 'Unknown command IDLE.');
  session.idleTag = tag;
  session.write('+ idling\r\n');
  session.flushExists();
};

const COMMANDS: Record<string, [Requirement, CommandHandler]> = {
  CAPABILITY: ['any', capability],
  NOOP: ['any', noop],
  ID: ['any', id],
  LOGOUT: ['any', logout],
  LOGIN: ['unauthenticated', login],
  AUTHENTICATE: ['unauthenticated', authenticate],
  ENABLE: ['authenticated', enable],
  NAMESPACE: ['authenticated', namespace],
  LIST: ['authenticated', list],
  LSUB: ['authenticated', list],
  XLIST: ['authenticated', list],
  SELECT: ['authenticated', select],
  EXAMINE: ['authenticated', select],
  STATUS: ['authenticated', status],
  IDLE: ['authenticated', idle],
  CHECK: ['selected', noop],
  CLOSE: ['selected', close],
  UNSELECT: ['selected', close],
  FETCH: ['selected', fetch],
  'UID FETCH': ['selected', fetch],
  SEARCH: ['selected', search],
  'UID SEARCH': ['selected', search],
  STORE: ['selected', store],
  'UID STORE': ['selected', store],
};

function stateError(session: ImapSession, requirement: Requirement): string | null {
  if (requirement === 'unauthenticated' && session.state !== 'not-authenticated') return 'Already authenticated.';
  if (requirement === 'authenticated' && session.state === 'not-authenticated') return 'Not authenticated.';
  if (requirement === 'selected' && session.state !== 'selected') return 'No mailbox selected.';
  return null;
}

/** `text` is the command line after the tag, as sent, for fault rules that match on it. */
export function runCommand(session: ImapSession, command: ParsedCommand, text = ''): void {
  const { stats, faults } = session.host;
  const entry = COMMANDS[command.name];
  const execute = (): void => {
    if (!entry) return session.complete(command.tag, 'BAD', `Unknown command ${command.name}.`);
    const refusal = stateError(session, entry[0]);
    if (refusal) return session.complete(command.tag, 'BAD', refusal);
    try {
      entry[1](session, command);
    } catch (err) {
      if (!(err instanceof ImapSyntaxError)) throw err;
      session.complete(command.tag, 'BAD', err.message);
    }
  };
  // Logins are counted and meet their faults once the user is known (see auth-commands)
  if (entry && (entry[1] === login || entry[1] === authenticate) && session.state === 'not-authenticated')
    return execute();
  stats.countCommand(session.username, command.name);
  session.withFault(command.tag, faults.take(command.name, session.username, text), session.username, execute);
}
