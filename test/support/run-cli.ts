import { resolve } from 'node:path';

import { spawnTracked } from './child-processes.js';
import { testEnvironment } from './test-env.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: unknown;
}

export const CLI = resolve('bin/superimap');

/** Runs the built `bin/superimap` as an operator would. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnTracked(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...testEnvironment(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  let json: unknown = undefined;
  try {
    json = JSON.parse(stdout);
  } catch {
    // Not every command prints JSON (errors, help).
  }
  return { code, stdout, stderr, json };
}
