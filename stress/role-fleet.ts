// SuperIMAP roles as child processes (`node bin/superimap <role>`), each with its own health port
// and log file, that can be SIGKILLed and started again under the same name.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

import { freePort, sleep } from './free-port.js';

export type Role = 'api' | 'imap-client' | 'worker';

/** The CLI under test; SUPERIMAP_BIN points a run at another build (e.g. a patched copy). */
const CLI = resolve(process.env.SUPERIMAP_BIN ?? 'bin/superimap');

export class RoleInstance {
  child!: ChildProcess;
  starts = 0;
  private exited!: Promise<void>;

  constructor(
    readonly name: string,
    readonly role: Role,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly log: WriteStream,
  ) {}

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  spawn(): void {
    this.starts++;
    this.log.write(`\n=== ${new Date().toISOString()} start #${this.starts} of ${this.name}\n`);
    // Node flags that NODE_OPTIONS refuses (e.g. --cpu-prof) travel in STRESS_NODE_ARGS.
    const nodeArgs = (this.env.STRESS_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, CLI, this.role], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    const child = this.child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited during start; see its log`);
      const ok = await fetch(`${this.url}/health`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not healthy within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }

  /** Prometheus text of /metrics. */
  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }
}

export class RoleFleet {
  readonly instances: RoleInstance[] = [];
  private readonly logs: WriteStream[] = [];

  constructor(
    private readonly baseEnv: Record<string, string>,
    private readonly logDir: string,
  ) {}

  async start(role: Role, index: number, extraEnv: Record<string, string> = {}): Promise<RoleInstance> {
    const port = await freePort();
    const name = `${role}-${index}`;
    const log = createWriteStream(`${this.logDir}/${name}.log`, { flags: 'a' });
    this.logs.push(log);
    const portVariable = role === 'api' ? 'PORT' : 'HEALTH_PORT';
    const env = { PATH: process.env.PATH ?? '', ...this.baseEnv, ...extraEnv, [portVariable]: String(port) };
    const instance = new RoleInstance(name, role, port, env, log);
    instance.spawn();
    this.instances.push(instance);
    return instance;
  }

  byRole(role: Role): RoleInstance[] {
    return this.instances.filter((instance) => instance.role === role);
  }

  async stopAll(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    await Promise.all(
      this.instances.map(async (instance) => {
        const timer = setTimeout(() => void instance.kill('SIGKILL'), graceMs);
        await instance.kill(signal);
        clearTimeout(timer);
      }),
    );
    for (const log of this.logs) log.end();
  }
}
