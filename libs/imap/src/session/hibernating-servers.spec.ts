import { mayHibernate } from './hibernating-servers.js';

const server = (name: string | undefined, greeting: string | undefined) => ({
  serverInfo: name === undefined ? null : { name },
  greeting,
});

describe('mayHibernate', () => {
  it('is true for Dovecot, named in its ID answer or its greeting', () => {
    expect(mayHibernate(server('Dovecot', 'Mail server ready.'))).toBe(true);
    expect(mayHibernate(server(undefined, 'Dovecot (Debian) ready.'))).toBe(true);
    expect(mayHibernate(server('', 'Dovecot ready.'))).toBe(true);
  });

  it('is false for a server whose ID answer names another program', () => {
    expect(mayHibernate(server('GImap', 'Gimap ready for requests from 192.0.2.1'))).toBe(false);
    expect(mayHibernate(server('Cyrus IMAPD', 'host Cyrus IMAP server ready'))).toBe(false);
  });

  it('is false for a server without ID whose greeting names a server known not to hibernate', () => {
    expect(mayHibernate(server(undefined, 'Courier-IMAP ready. Copyright 1998-2018 Double Precision, Inc.'))).toBe(
      false,
    );
    expect(mayHibernate(server(undefined, 'The Microsoft Exchange IMAP4 service is ready.'))).toBe(false);
  });

  it('is true for a server that does not say what it is', () => {
    expect(mayHibernate(server(undefined, 'IMAP4rev1 ready'))).toBe(true);
    expect(mayHibernate(server(undefined, undefined))).toBe(true);
    expect(mayHibernate(server('  ', 'ready'))).toBe(true);
  });
});
