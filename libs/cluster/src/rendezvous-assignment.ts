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
  return mix(nodeSeed ^ mix(userHash + 0x9e3779b9));
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
  const assignment = new Map<string, string[]>(ordered.map((node) => [node.id, []]));
  if (ordered.length === 0) return assignment;
  const users = [...new Set(userIds)];
  const nodeCount = ordered.length;
  const seeds = ordered.map((node) => fnv1a(node.id));
  const totalCapacity = ordered.reduce((sum, node) => sum + node.capacity, 0);
  const fairLimits = ordered.map((node) =>
    Math.min(node.capacity, Math.ceil((users.length * (1 + LOAD_SLACK) * node.capacity) / Math.max(totalCapacity, 1))),
  );

  // scores[u * nodeCount + i]: user u's affinity for node i.
  const scores = new Float64Array(users.length * nodeCount);
  const owner = new Int32Array(users.length);
  const members: number[][] = ordered.map(() => []);
  users.forEach((userId, u) => {
    const userHash = fnv1a(userId);
    let best = 0;
    for (let i = 0; i < nodeCount; i++) {
      const score = rendezvousScore(seeds[i], userHash);
      scores[u * nodeCount + i] = score;
      if (score > scores[u * nodeCount + best]) best = i;
    }
    owner[u] = best;
    members[best].push(u);
  });

  // Shed from overloaded nodes to the next-ranked node with room: first within fair shares, then within
  // plain capacity (when capacities are so uneven that fair shares cannot hold everyone).
  for (const limits of [fairLimits, ordered.map((node) => node.capacity)]) {
    for (let i = 0; i < nodeCount; i++) {
      const excess = members[i].length - limits[i];
      if (excess <= 0) continue;
      // Ties (rare with 32-bit scores) are broken by user id, so input order never matters.
      members[i].sort(
        (a, b) => scores[a * nodeCount + i] - scores[b * nodeCount + i] || (users[a] < users[b] ? -1 : 1),
      );
      const shed = members[i].splice(0, excess);
      for (const u of shed) {
        const next = rankedNodes(scores, u, nodeCount).find((j) => j !== i && members[j].length < limits[j]);
        if (next === undefined) {
          owner[u] = -1;
          continue;
        }
        owner[u] = next;
        members[next].push(u);
      }
    }
  }

  users.forEach((userId, u) => {
    if (owner[u] >= 0) assignment.get(ordered[owner[u]].id)!.push(userId);
  });
  return assignment;
}

function rankedNodes(scores: Float64Array, u: number, nodeCount: number): number[] {
  // Node index breaks exact-score ties: nodes are sorted by id, so every node agrees.
  const ranking = Array.from({ length: nodeCount }, (_, i) => i);
  return ranking.sort((a, b) => scores[u * nodeCount + b] - scores[u * nodeCount + a] || a - b);
}
