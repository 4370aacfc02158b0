export { CLUSTER_NODE_ID } from './cluster-node-id.js';
export { ClusterOwnership } from './cluster-ownership.service.js';
export { ClusterMembershipModule, ClusterModule } from './cluster.module.js';
export { type NodeInfo, NodeRegistry } from './node-registry.service.js';
// For the integration tests of ownership.
export { UserLeases } from './user-leases.service.js';
