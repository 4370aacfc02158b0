export { ClusterOwnership } from './cluster-ownership.service.js';
export { ClusterMembershipModule, ClusterModule } from './cluster.module.js';
export { type NodeInfo, NodeRegistry } from './node-registry.service.js';
