// Reproduces a hang found by the chaos run: a connection that drops right after the mailbox is
// selected (here: the server drops the socket on the first IDLE, which imapflow sends at once)
// leaves the mailbox unwatched for good if the session was still busy between "selected" and
// listening for the close. Prints, per mailbox, whether a mail sent afterwards arrived.
// Run: node dist-stress/stress/repro/connection-lost-after-select.js

import { sleep } from '../free-port.js';
import { Installation } from '../installation.js';
import { Ledger } from '../ledger.js';
import { Testbed } from '../testbed.js';

const MAILBOXES = 20;

const bed = await Testbed.create({
  runId: Installation.newRunId(),
  mailboxes: MAILBOXES,
  imapHosts: 1,
  outDir: 'stress-results/repro',
  seed: 1,
  roleEnv: { IMAP_SOCKET_TIMEOUT: '5', LOG_LEVEL: 'info' },
});
try {
  const ledger = new Ledger();
  bed.fakeServer.onGenerated((mails) => ledger.add(mails));
  await bed.fakeServer.script(
    bed.usernames.map((user) => ({ command: 'IDLE', user, times: 1, action: { type: 'destroy' as const } })),
  );
  await bed.startRoles('worker', 1);
  await bed.startRoles('imap-client', 1);
  await sleep(20_000); // every session met its fault and had ample time to reconnect
  await bed.fakeServer.append(bed.usernames, 1024);
  await sleep(15_000);
  const accounting = ledger.account(bed.sink);
  const stats = await bed.fakeServer.stats();
  let unwatched = 0;
  for (const user of bed.usernames) if ((await bed.fakeServer.userInfo(user)).stats.openSessions === 0) unwatched++;
  console.log(
    `mailboxes ${MAILBOXES}, mails ${accounting.generated}, delivered ${accounting.delivered}, lost ${accounting.lost}; ` +
      `mailboxes without a session after 35 s: ${unwatched}; sessions in IDLE: ${stats.idling}`,
  );
} finally {
  await bed.tearDown(false);
}
process.exit(0);
