// A private Redis Cluster of three masters (no replicas) for tests and the stress run: SuperIMAP must run on
// one unchanged. Each node is a plain redis-server in cluster mode in a fresh temp dir; nothing is persisted.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { waitFor } from '../support/wait-for.js';
import { freePorts, HOST, killOnExit, stopMarkedProcesses } from './server-processes.js';

const run = promisify(execFile);

export class RedisClusterTestServer {
  private stopped = false;

  private constructor(
    readonly ports: number[],
    private readonly root: string,
    private readonly marker: string,
    private readonly processes: ChildProcess[],
    private readonly forgetOnExit: () => void,
  ) {}

  /** `host:port,...`, as REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.ports.map((port) => `${HOST}:${port}`).join(',');
  }

  static async start(masters = 3): Promise<RedisClusterTestServer> {
    const root = await mkdtemp(join(tmpdir(), 'superimap-redis-cluster-'));
    // Client and cluster-bus ports both free (the default bus port, port + 10000, may not be).
    const ports = await freePorts(masters * 2);
    const clientPorts = ports.slice(0, masters);
    const marker = `SUPERIMAP_TEST_SERVER=redis-cluster-${process.pid}-${randomBytes(4).toString('hex')}`;
    const [name, value] = marker.split('=');
    const processes = clientPorts.map((port, index) =>
      spawn(
        'redis-server',
        [
          ...['--port', String(port), '--cluster-port', String(ports[masters + index]), '--bind', HOST],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', root],
          ...['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
        ],
        { env: { PATH: process.env.PATH ?? '', [name]: value }, stdio: 'ignore' },
      ),
    );
    const server = new RedisClusterTestServer(clientPorts, root, marker, processes, killOnExit(marker));
    try {
      await waitFor('Redis cluster nodes to answer', async () => (await server.everyNode('PING')) === 'PONG', {
        timeoutMs: 15_000,
      });
      await run('redis-cli', [
        ...['--cluster', 'create', ...clientPorts.map((port) => `${HOST}:${port}`)],
        ...['--cluster-replicas', '0', '--cluster-yes'],
      ]);
      await waitFor('the Redis cluster to be ok on every node', () => server.isOk(), { timeoutMs: 30_000 });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Whether every node sees all slots served. */
  async isOk(): Promise<boolean> {
    const infos = await Promise.all(this.ports.map((port) => this.cli(port, 'CLUSTER', 'INFO').catch(() => '')));
    return infos.every((info) => info.includes('cluster_state:ok'));
  }

  /** How many keys each node holds: spread over the nodes means the hash tags do their job. */
  async keysPerNode(): Promise<number[]> {
    return Promise.all(this.ports.map(async (port) => Number((await this.cli(port, 'DBSIZE')).trim())));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.processes) child.kill('SIGTERM');
    await stopMarkedProcesses(this.marker);
    this.forgetOnExit();
    await rm(this.root, { recursive: true, force: true });
  }

  /** The reply every node gives, or '' when they differ or one fails. */
  private async everyNode(...command: string[]): Promise<string> {
    const replies = await Promise.all(this.ports.map((port) => this.cli(port, ...command).catch(() => '')));
    const first = replies[0]?.trim() ?? '';
    return replies.every((reply) => reply.trim() === first) ? first : '';
  }

  private async cli(port: number, ...command: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...command], { timeout: 5000 });
    return stdout;
  }
}
