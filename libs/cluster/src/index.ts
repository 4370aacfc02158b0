export { CLUSTER_NODE_ID } from './cluster-node-id.js';
export * from './cluster-ownership.service.js';
export * from './cluster.module.js';
export * from './node-registry.service.js';
export * from './rendezvous-assignment.js';
export * from './user-leases.service.js';
