import { CommandFramer, parseCommand, type FramerResult } from './imap-parser.js';

function frames(framer: CommandFramer): FramerResult[] {
  const out: FramerResult[] = [];
  for (let result = framer.next(); result.kind !== 'incomplete'; result = framer.next()) out.push(result);
  return out;
}

describe('CommandFramer', () => {
  it('cuts pipelined commands and waits for a partial line', () => {
    const framer = new CommandFramer();
    framer.push(Buffer.from('a NOOP\r\nb CAPA'));
    expect(frames(framer).map((f) => f.kind === 'command' && f.bytes.toString())).toEqual(['a NOOP']);
    framer.push(Buffer.from('BILITY\r\n'));
    expect(frames(framer).map((f) => f.kind === 'command' && f.bytes.toString())).toEqual(['b CAPABILITY']);
  });

  it('asks once for a synchronizing literal and keeps its bytes in the command', () => {
    const framer = new CommandFramer();
    framer.push(Buffer.from('a LOGIN {5}\r\n'));
    expect(frames(framer)).toEqual([{ kind: 'continuation' }]);
    framer.push(Buffer.from('us\r\nr "pw"\r\n'));
    const [result] = frames(framer);
    expect(result.kind === 'command' && result.bytes.toString()).toBe('a LOGIN {5}\r\nus\r\nr "pw"');
  });

  it('does not ask for LITERAL+ literals', () => {
    const framer = new CommandFramer();
    framer.push(Buffer.from('a LOGIN {4+}\r\nuser {2+}\r\npw\r\n'));
    const results = frames(framer);
    expect(results).toHaveLength(1);
    expect(results[0].kind).toBe('command');
  });
});

describe('parseCommand', () => {
  it('reads quoted strings, literals and lists', () => {
    const command = parseCommand(Buffer.from('t1 LOGIN "us\\"er" {3}\r\np w'));
    expect(command).toEqual({
      tag: 't1',
      name: 'LOGIN',
      args: [
        { type: 'string', value: 'us"er' },
        { type: 'string', value: 'p w' },
      ],
    });
  });

  it('joins UID with its command and keeps bracketed sections in one atom', () => {
    const command = parseCommand(
      Buffer.from('7 uid fetch 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM)]<0.100>)'),
    );
    expect(command.name).toBe('UID FETCH');
    expect(command.args).toEqual([
      { type: 'atom', value: '1:*' },
      {
        type: 'list',
        items: [
          { type: 'atom', value: 'UID' },
          { type: 'atom', value: 'BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM)]<0.100>' },
        ],
      },
    ]);
  });

  it('reports the tag of a malformed command', () => {
    expect(() => parseCommand(Buffer.from('x9 LOGIN "open'))).toThrow(expect.objectContaining({ tag: 'x9' }));
  });
});
