import { NODE_ID } from '@app/core';

/**
 * Injection token of the id this node heartbeats and holds leases under: the process's NODE_ID, except
 * in tests that run several nodes in one process.
 */
export const CLUSTER_NODE_ID = Symbol('CLUSTER_NODE_ID');

export const clusterNodeIdProvider = { provide: CLUSTER_NODE_ID, useValue: NODE_ID };
