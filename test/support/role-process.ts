import type { ChildProcess } from 'node:child_process';

import { spawnTracked } from './child-processes.js';
import { freePort } from './free-port.js';
import { CLI } from './run-cli.js';
import { testEnvironment } from './test-env.js';
import { waitFor } from './wait-for.js';

/** A SuperIMAP role running as its own process, as in production; never outlives the test run (child-processes.ts). */
export class RoleProcess {
  output = '';
  private exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly role: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts `superimap <role>` on free ports; HTTP (health) answers on `port`. */
  static start(role: string, env: Record<string, string> = {}, port?: number): Promise<RoleProcess> {
    return (async () => {
      const httpPort = port ?? (await freePort());
      const portVariable = role === 'api' || role === 'all' ? 'PORT' : 'HEALTH_PORT';
      const child = spawnTracked(process.execPath, [CLI, role], {
        env: { PATH: process.env.PATH ?? '', ...testEnvironment({ [portVariable]: String(httpPort), ...env }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return new RoleProcess(role, httpPort, child);
    })();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async waitHealthy(timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return waitFor(
      `${this.role} /health to answer 200`,
      async () => {
        const response = await fetch(`${this.url}/health`);
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : null;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit!;
  }

  /** Sends a signal and resolves with how the process ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited();
  }
}
