import { ClusterMembershipModule, NodeRegistry } from '@app/cluster';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

/** `superimap cluster status`: the live imap-client nodes, their capacity, load and last heartbeat. */
export async function clusterCommand([action, ...args]: string[]): Promise<unknown> {
  if (action !== 'status') throw new CliError('usage: superimap cluster status', USAGE_ERROR);
  parseFlags(args, {});
  return withCommandContext(
    [ClusterMembershipModule],
    async (context) => {
      const nodes = await context.get(NodeRegistry).liveNodes();
      return {
        nodes: nodes.map((node) => ({
          id: node.id,
          host: node.host,
          pid: node.pid,
          capacity: node.capacity,
          users_owned: node.owned,
          started_at: node.startedAt,
          last_heartbeat_ms_ago: node.lastHeartbeatAgoMs,
        })),
        total_capacity: nodes.reduce((sum, node) => sum + node.capacity, 0),
        users_owned: nodes.reduce((sum, node) => sum + node.owned, 0),
      };
    },
    { queues: true },
  );
}
