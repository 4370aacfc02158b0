/** A live imap-client node as every node sees it in the registry. */
export interface ClusterNode {
  id: string;
  /** Most mailboxes it may hold (its MAX_USER_THREADS). */
  capacity: number;
}

/** How far above the even share a node may go before users spill to their next-ranked node. */
const LOAD_SLACK = 0.1;

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finaliser: spreads the bits of a 32-bit value. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The weight of a (node, user) pair; every node computes the same number, so no master is needed. */
export function rendezvousScore(nodeSeed: number, userHash: number): number {
  return mix(nodeSeed ^ userKey(userHash));
}

/** The user's half of the score, computed once per user rather than once per (node, user) pair. */
function userKey(userHash: number): number {
  return mix(userHash + 0x9e3779b9);
}

/**
 * Rendezvous hashing with bounded load. Every user first goes to its best-ranked node; a node over its
 * limit (its capacity, and at most (1 + slack) × its fair share) then hands its weakest-affinity users to
 * their next-ranked node with room. So load stays even, users beyond one node's cap spill over instead of
 * going unwatched, and a membership change moves few users. Deterministic for the same inputs, whatever
 * their order. Returns the users of each node; users beyond total capacity are left out.
 */
export function assignUsers(nodes: ClusterNode[], userIds: Iterable<string>): Map<string, string[]> {
  const ordered = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (ordered.length === 0) return new Map();
  const users = userIds instanceof Set ? [...(userIds as Set<string>)] : [...new Set(userIds)];
  const nodeCount = ordered.length;
  const seeds = ordered.map((node) => fnv1a(node.id));
  const totalCapacity = ordered.reduce((sum, node) => sum + node.capacity, 0);
  const fairLimits = ordered.map((node) =>
    Math.min(node.capacity, Math.ceil((users.length * (1 + LOAD_SLACK) * node.capacity) / Math.max(totalCapacity, 1))),
  );

  // Typed arrays and only each user's best node: a million users on 50 nodes must stay well under a second.
  // Scores are recomputed for the few users an overloaded node sheds.
  const userKeys = new Uint32Array(users.length);
  const owner = new Int32Array(users.length);
  const counts = new Int32Array(nodeCount);
  for (let u = 0; u < users.length; u++) {
    const key = userKey(fnv1a(users[u]));
    userKeys[u] = key;
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < nodeCount; i++) {
      const score = mix(seeds[i] ^ key);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    owner[u] = best;
    counts[best]++;
  }

  // Shed from overloaded nodes to the next-ranked node with room: first within fair shares, then within
  // plain capacity (when capacities are so uneven that fair shares cannot hold everyone).
  for (const limits of [fairLimits, ordered.map((node) => node.capacity)]) {
    for (let i = 0; i < nodeCount; i++) {
      const excess = counts[i] - limits[i];
      if (excess <= 0) continue;
      const members: number[] = [];
      for (let u = 0; u < users.length; u++) if (owner[u] === i) members.push(u);
      const affinity = new Map(members.map((u) => [u, mix(seeds[i] ^ userKeys[u])]));
      // Ties (rare with 32-bit scores) are broken by user id, so input order never matters.
      members.sort((a, b) => affinity.get(a)! - affinity.get(b)! || (users[a] < users[b] ? -1 : 1));
      for (const u of members.slice(0, excess)) {
        counts[i]--;
        const next = rankedNodes(seeds, userKeys[u]).find((j) => j !== i && counts[j] < limits[j]);
        owner[u] = next ?? -1;
        if (next !== undefined) counts[next]++;
      }
    }
  }

  const perNode: string[][] = ordered.map(() => []);
  for (let u = 0; u < users.length; u++) if (owner[u] >= 0) perNode[owner[u]].push(users[u]);
  return new Map(ordered.map((node, i) => [node.id, perNode[i]]));
}

function rankedNodes(seeds: number[], key: number): number[] {
  const scores = seeds.map((seed) => mix(seed ^ key));
  // Node index breaks exact-score ties: nodes are sorted by id, so every node agrees.
  return scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}
