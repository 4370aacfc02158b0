// Summarises a V8 .heapsnapshot: self size and count per constructor, so the memory held per
// mailbox session can be attributed to classes (divide by the number of sessions).
// Usage: node --max-old-space-size=8192 dist-stress/bench/profile/heap-summary.js FILE [SESSIONS] [TOP]

import { readFile } from 'node:fs/promises';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file, sessionsArg, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: heap-summary FILE [SESSIONS] [TOP]');
  process.exit(2);
}
const heap = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot;
const fields = heap.snapshot.meta.node_fields;
const types = heap.snapshot.meta.node_types[0];
const width = fields.length;
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < heap.nodes.length; i += width) {
  const type = types[heap.nodes[i + typeAt]];
  const size = heap.nodes[i + sizeAt];
  total += size;
  // Objects by constructor name; strings, arrays, code... by their type.
  const key = type === 'object' || type === 'closure' ? `${type} ${heap.strings[heap.nodes[i + nameAt]]}` : `(${type})`;
  const group = groups.get(key) ?? { count: 0, bytes: 0 };
  group.count++;
  group.bytes += size;
  groups.set(key, group);
}
const sessions = Number(sessionsArg ?? 0);
const top = Number(topArg ?? 40);
console.log(`${file}: ${(total / 2 ** 20).toFixed(1)} MiB in ${heap.nodes.length / width} objects`);
console.log(`   MiB   count${sessions ? '  bytes/session  count/session' : ''}  constructor`);
for (const [key, { count, bytes }] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  const perSession = sessions
    ? `  ${(bytes / sessions).toFixed(0).padStart(13)}  ${(count / sessions).toFixed(1).padStart(13)}`
    : '';
  console.log(`${(bytes / 2 ** 20).toFixed(1).padStart(6)} ${String(count).padStart(7)}${perSession}  ${key}`);
}
