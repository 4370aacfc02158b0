// Child process entry: a FakeImapServer plus its mail generator, driven over IPC (see protocol.ts).

import { FakeImapServer, type GeneratedMail, MailGenerator } from '../../test/harness/fake-imap/index.js';
import type {
  FakeServerConfig,
  FakeServerEnvelope,
  FakeServerMessage,
  FakeServerRequest,
  FakeServerStats,
  FakeUserInfo,
} from './protocol.js';

const FLUSH_MS = 100;

const config = JSON.parse(process.env.FAKE_SERVER_CONFIG ?? '{}') as FakeServerConfig;
const send = (message: FakeServerMessage): void => void process.send?.(message);

const server = await FakeImapServer.start({
  listen: config.listen,
  backlog: config.backlog ?? 4096,
  traceUsers: config.traceUsers,
});
const usernames: string[] = [];
let pending: GeneratedMail[] = [];
/** Test ids stay unique across generators: each one numbers its mails under a prefix of its own. */
let generators = 0;
const generatorFor = (users: readonly string[], ratePerSecond: number, sizeBytes: number): MailGenerator =>
  new MailGenerator(server, {
    users,
    ratePerSecond,
    sizeBytes,
    seed: config.seed + generators,
    idPrefix: `${config.idPrefix}.${++generators}`,
    onMail: (mail) => pending.push(mail),
  });
let generator: MailGenerator | null = null;
let generatedBefore = 0;

const flush = setInterval(() => {
  if (pending.length === 0) return;
  send({ type: 'generated', mails: pending });
  pending = [];
}, FLUSH_MS);

function handle(request: FakeServerRequest): unknown {
  switch (request.op) {
    case 'addUsers':
      for (const name of request.usernames) server.addUser(name, request.password);
      usernames.push(...request.usernames);
      return usernames.length;
    case 'startGenerating': {
      generator?.stop();
      generatedBefore += generator?.count ?? 0;
      generator = generatorFor(request.usernames ?? usernames, request.ratePerSecond, request.sizeBytes);
      generator.start();
      return null;
    }
    case 'stopGenerating':
      generator?.stop();
      return generatedBefore + (generator?.count ?? 0);
    case 'append': {
      const oneShot = generatorFor(request.usernames, 1, request.sizeBytes);
      generatedBefore += request.usernames.length;
      return request.usernames.map((user) => oneShot.generateOne(user));
    }
    case 'script':
      for (const rule of request.rules) server.script(rule);
      return null;
    case 'setChaos':
      server.setChaos(request.chaos);
      return null;
    case 'stats': {
      const stats: FakeServerStats = {
        totals: server.totals(),
        idling: server.idlingSessions(),
        handshakes: server.handshakes(),
        generated: generatedBefore + (generator?.count ?? 0),
        accounts: usernames.length,
      };
      return stats;
    }
    case 'userInfo': {
      const messages = server.messages(request.username);
      const info: FakeUserInfo = {
        stats: server.userStats(request.username),
        uidValidity: server.uidValidity(request.username),
        messages: messages.length,
        highestUid: messages.length ? messages[messages.length - 1].uid : 0,
        trace: server.traceOf(request.username),
      };
      return info;
    }
    case 'resetPeakHandshakes':
      server.resetPeakHandshakes();
      return null;
    case 'handshakeTimeline':
      return server.handshakeTimeline();
    case 'close':
      generator?.stop();
      clearInterval(flush);
      if (pending.length) send({ type: 'generated', mails: pending });
      pending = [];
      void server.close().then(() => process.exit(0));
      return null;
  }
}

process.on('message', (envelope: FakeServerEnvelope) => {
  try {
    send({ type: 'reply', id: envelope.id, result: handle(envelope.request) });
  } catch (error) {
    send({ type: 'reply', id: envelope.id, error: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', addresses: server.addresses });
