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
      let release!: () => void;
      const quickSeen = new Promise<void>((resolve) => (release = resolve));
      const slow = server.deliver(5, buildMail({ to: mailbox.address, messageId: 'slow@t' }), {
        holdUntil: quickSeen,
      });
      // Courier names maildir files by the second delivery began: the quick one must begin in a later second.
      await waitFor('the next second', () => Math.floor(Date.now() / 1000) > slowSecond, {
        timeoutMs: 5000,
        intervalMs: 20,
      });
      await server.deliver(5, buildMail({ to: mailbox.address, messageId: 'quick@t' }));
      // The slow one finishes only once the quick one has been delivered: it was overtaken for sure.
      await bed().waitForEvents(mailbox.userId, 1).finally(release);
      await slow;
      await expectExactly(mailbox, ['<quick@t>', '<slow@t>']);
    });
  },
);
