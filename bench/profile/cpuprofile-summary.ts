// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package/file,
// so "where does the CPU go" can be answered with file and function names.
// Usage: node dist-stress/bench/profile/cpuprofile-summary.js FILE [TOP]

import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package> or the project path, for a per-area total. */
function area(url: string): string {
  if (!url) return '(native/idle)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node core';
  const project = /\/(apps|libs)\/([^/]+)/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpuprofile-summary FILE [TOP]');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  total += ms;
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  byArea.set(area(frame.url), (byArea.get(area(frame.url)) ?? 0) + ms);
}
const top = Number(topArg ?? 25);
const show = (title: string, entries: Map<string, number>, count: number): void => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
};
console.log(`${file}: ${(total / 1000).toFixed(1)} s sampled`);
show('self time by package / area', byArea, 20);
show(`self time by function (top ${top})`, byFunction, top);
