import { CourierTestServer } from '../harness/courier.js';
import { buildMail } from '../harness/mail-factory.js';
import { waitFor } from '../support/wait-for.js';
import { describeWatchScenarios } from './watch-scenarios.js';

describeWatchScenarios(
  'Courier-IMAP',
  () => CourierTestServer.start({ users: 6 }),
  ({ bed, watched, expectExactly }) => {
    it('delivers a slow delivery overtaken by a quick one, each exactly once', async () => {
      const mailbox = await watched(5);
      const server = bed().server;
      const slowSecond = Math.floor(Date.now() / 1000);
      const slow = server.deliver(5, buildMail({ to: mailbox.address, messageId: 'slow@t' }), { slowMs: 2500 });
      // Courier names maildir files by the second delivery began: the quick one must begin in a later second.
      await waitFor('the next second', () => Math.floor(Date.now() / 1000) > slowSecond, {
        timeoutMs: 5000,
        intervalMs: 20,
      });
      await server.deliver(5, buildMail({ to: mailbox.address, messageId: 'quick@t' }));
      await bed().waitForEvents(mailbox.userId, 1);
      await slow;
      await expectExactly(mailbox, ['<quick@t>', '<slow@t>']);
    });
  },
);
