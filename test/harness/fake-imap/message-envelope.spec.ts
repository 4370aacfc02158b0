import { buildEnvelope, parseAddressList } from './message-envelope.js';

describe('parseAddressList', () => {
  it('reads display names, quoted commas, comments and bare addresses', () => {
    expect(parseAddressList('"Doe, Jane" <jane@example.test>, bob@example.test (Bob B), Carl <carl@x.test>')).toEqual([
      { name: 'Doe, Jane', mailbox: 'jane', host: 'example.test' },
      { name: 'Bob B', mailbox: 'bob', host: 'example.test' },
      { name: 'Carl', mailbox: 'carl', host: 'x.test' },
    ]);
  });

  it('marks group start and end the RFC 3501 way', () => {
    expect(parseAddressList('Team: a@x.test, b@x.test;, undisclosed-recipients:;')).toEqual([
      { name: null, mailbox: 'Team', host: null },
      { name: null, mailbox: 'a', host: 'x.test' },
      { name: null, mailbox: 'b', host: 'x.test' },
      { name: null, mailbox: null, host: null },
      { name: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, mailbox: null, host: null },
    ]);
  });
});

describe('buildEnvelope', () => {
  it('defaults sender and reply-to to from, writes NIL for missing fields and literals for 8-bit text', () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@x.test\r\nSubject: Gr'),
      Buffer.from([0xc3, 0xbc]),
      Buffer.from('\r\n  sse\r\nMessage-ID: <m1@x.test>\r\n\r\nbody'),
    ]);
    expect(buildEnvelope(raw).toString('latin1')).toBe(
      '(NIL {9}\r\nGr\xc3\xbc  sse ((NIL NIL "a" "x.test")) ((NIL NIL "a" "x.test")) ((NIL NIL "a" "x.test")) NIL NIL NIL NIL "<m1@x.test>")',
    );
  });
});
