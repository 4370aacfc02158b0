import { Module } from '@nestjs/common';

import { ImapClientModule } from '@app/imap';
import { UsersModule } from '@app/users';

import { clusterNodeIdProvider } from './cluster-node-id.js';
import { ClusterOwnership } from './cluster-ownership.service.js';
import { LeaseRenewer } from './lease-renewer.service.js';
import { NodeRegistry } from './node-registry.service.js';
import { UserLeases } from './user-leases.service.js';

/** Membership only: what `superimap cluster status` reads. */
@Module({
  providers: [clusterNodeIdProvider, NodeRegistry, UserLeases],
  exports: [NodeRegistry, UserLeases],
})
export class ClusterMembershipModule {}

/** Mailbox ownership for the imap-client role: heartbeats, rendezvous assignment, leases. */
@Module({
  imports: [ClusterMembershipModule, ImapClientModule, UsersModule],
  providers: [LeaseRenewer, ClusterOwnership],
  exports: [ClusterOwnership],
})
export class ClusterModule {}
