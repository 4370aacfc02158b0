import type { ImapFlow } from 'imapflow';

/** Servers known not to hibernate sessions, as their greetings name them (for those that do not answer ID). */
const NAMED_IN_GREETING = /\b(courier|cyrus|gimap|microsoft exchange)\b/i;

/**
 * Whether the server may hibernate an IDLE session and drop a notification as it does (Dovecot's
 * imap_hibernate_timeout), so a session needs the hibernation check after each sync. Only Dovecot
 * hibernates; a server that names itself otherwise, in its ID answer (Gmail: "GImap") or greeting, is spared
 * the extra DONE, NOOP and IDLE per sync. A server that does not say what it is gets the check.
 */
export function mayHibernate(client: Pick<ImapFlow, 'serverInfo' | 'greeting'>): boolean {
  const name = typeof client.serverInfo?.name === 'string' ? client.serverInfo.name : '';
  const greeting = client.greeting ?? '';
  if (/dovecot/i.test(name) || /dovecot/i.test(greeting)) return true;
  if (name.trim()) return false;
  return !NAMED_IN_GREETING.test(greeting);
}
