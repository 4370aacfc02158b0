import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../support/free-port.js';
import { ScratchDatabase } from '../support/scratch-database.js';
import { testEnvironment, uniqueName } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';

/** `npm start` as an operator runs it (scripts/start.sh), on a database and ports of its own. */
function startScript(env: Record<string, string>) {
  const child = spawn('bash', ['scripts/start.sh'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      ...testEnvironment({
        LOG_LEVEL: 'info',
        SUPERIMAP_LOG_DIR: mkdtempSync(join(tmpdir(), 'superimap-logs-')),
        ...env,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output, exited };
}

describe('npm start (scripts/start.sh)', () => {
  const db = new ScratchDatabase();
  let ports: Record<string, string>;
  let blocker: Server | undefined;

  beforeEach(async () => {
    ports = {
      PORT: String(await freePort()),
      IMAP_CLIENT_HEALTH_PORT: String(await freePort()),
      WORKER_HEALTH_PORT: String(await freePort()),
    };
  });
  afterEach(() =>
    new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined))).then(() => (blocker = undefined)),
  );
  afterAll(() => db.drop());

  it('names the role that failed and why, and exits 1, when the API port is taken', async () => {
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker!.listen(Number(ports.PORT), resolve));
    const run = startScript({ DATABASE_URL: db.url, REDIS_PREFIX: uniqueName('start'), ...ports });
    const code = await run.exited;
    expect(code).toBe(1);
    expect(run.output.stderr).toContain('the api role failed to start');
    expect(run.output.stderr).toContain('EADDRINUSE');
    expect(run.output.stderr).not.toContain('SuperIMAP is running');
  }, 120_000);

  it('says "running" once every role answers /health, without rebuilding or framework chatter, and stops on Ctrl-C', async () => {
    const run = startScript({ DATABASE_URL: db.url, REDIS_PREFIX: uniqueName('start'), ...ports });
    try {
      await waitFor('the banner', () => run.output.stderr.includes('SuperIMAP is running') || null, {
        timeoutMs: 90_000,
        intervalMs: 100,
      });
      for (const port of Object.values(ports)) {
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      }
      expect(run.output.stderr).not.toContain('building');
      expect(run.output.stdout).not.toContain('InstanceLoader');
      expect(run.output.stdout).not.toContain('Mapped {');
      for (const line of run.output.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      process.kill(-run.child.pid!, 'SIGINT');
    }
    expect(await run.exited).toBe(0);
  }, 150_000);
});
