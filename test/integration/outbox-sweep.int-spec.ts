import type { TestingModule } from '@nestjs/testing';

import { OutboxSweeper, WebhooksWorkerModule } from '@app/webhooks';

import { IntegrationInstallation } from '../support/nest-testing.js';
import { quietPeriod } from '../support/quiet-period.js';
import { waitFor } from '../support/wait-for.js';

const INTERVAL_S = 1;
const WINDOW_MS = 6000;

describe('the outbox sweep (one job scheduler for the cluster)', () => {
  let installation: IntegrationInstallation;
  const sweeps: { node: number; at: number }[] = [];

  async function worker(index: number): Promise<TestingModule> {
    const node = await installation.startNode([WebhooksWorkerModule], {
      env: { OUTBOX_SWEEP_INTERVAL: String(INTERVAL_S) },
    });
    const sweeper = node.get(OutboxSweeper);
    const sweep = sweeper.sweep.bind(sweeper);
    sweeper.sweep = () => {
      sweeps.push({ node: index, at: Date.now() });
      return sweep();
    };
    return node;
  }

  beforeAll(async () => {
    installation = await IntegrationInstallation.create();
  });
  afterAll(() => installation?.stop());

  it('runs once per interval with two workers, not once per worker', async () => {
    await worker(1);
    await worker(2);
    await waitFor('a first sweep', () => sweeps.length > 0, { timeoutMs: 15_000 });
    const before = sweeps.length;
    await quietPeriod(WINDOW_MS, 'the measurement window: sweeps are counted over a fixed time');
    const swept = sweeps.length - before;
    console.info(`two workers, OUTBOX_SWEEP_INTERVAL=${INTERVAL_S}s: ${swept} sweeps in ${WINDOW_MS} ms`);
    // A timer per worker would sweep about twice per interval; a shared schedule at most once (+1 at the edge).
    expect(swept).toBeLessThanOrEqual(WINDOW_MS / 1000 / INTERVAL_S + 1);
    expect(swept).toBeGreaterThanOrEqual(2);
  });
});
