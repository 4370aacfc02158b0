import { Writable } from 'node:stream';

import { pino } from 'pino';

import { MailboxLog } from './mailbox-log.js';

/** A pino logger at `level` that keeps its lines, with the timestamp left out so lines can be compared. */
function capturing(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return {
    logger: pino({ level, timestamp: false, base: { role: 'imap-client' } }, stream).child({ component: 'session' }),
    lines,
  };
}

describe('MailboxLog', () => {
  const fields = { user: 'u-1', tag: 'alice', partner: 'p-1', connection: 'FAKE' };

  it('writes the lines a child logger with the mailbox fields would write', () => {
    const ours = capturing('debug');
    const child = capturing('debug');
    const log = new MailboxLog(ours.logger, fields);
    const reference = child.logger.child(fields);
    const error = new Error('connection dropped');
    log.info('watching');
    reference.info('watching');
    log.warn({ err: error, state: 'watching' }, 'could not record the mailbox state');
    reference.warn({ err: error, state: 'watching' }, 'could not record the mailbox state');
    log.debug({ component: 'imapflow', msg: 'C: 1 NOOP' });
    reference.debug({ component: 'imapflow', msg: 'C: 1 NOOP' });
    expect(ours.lines).toHaveLength(3);
    expect(ours.lines).toEqual(child.lines);
  });

  it('names the mailbox anew once its account is loaded', () => {
    const { logger, lines } = capturing('info');
    const log = new MailboxLog(logger, { user: 'u-1' });
    log.info('loading');
    log.name(fields);
    log.info('loaded');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { level: 30, role: 'imap-client', component: 'session', user: 'u-1', msg: 'loading' },
      { level: 30, role: 'imap-client', component: 'session', ...fields, msg: 'loaded' },
    ]);
  });

  it('writes nothing below the shared logger level', () => {
    const { logger, lines } = capturing('warn');
    const log = new MailboxLog(logger, fields);
    log.info('watching');
    log.debug({ mailbox: 'INBOX' }, 'watching');
    log.error({ uid: -1 }, 'bug');
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['bug']);
  });
});
