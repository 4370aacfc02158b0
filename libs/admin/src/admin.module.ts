import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';

import { ClusterMembershipModule } from '@app/cluster';
import { ConnectModule } from '@app/connect';
import { ConnectionsModule } from '@app/connections';
import { BackfillsModule, ImapModule, MailStatsModule } from '@app/imap';
import { OperatorsModule } from '@app/operators';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { TracerLogsModule } from '@app/tracers';
import { OperatorUsersModule, UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { AdminUsersController } from './admin-users.controller.js';
import { AuditController } from './audit.controller.js';
import { ConnectionUsersController } from './connection-users.controller.js';
import { ConnectionsController } from './connections.controller.js';
import { DashboardData } from './dashboard/dashboard-data.js';
import { EventsController } from './events.controller.js';
import { HomeController } from './home.controller.js';
import { JobsBoard } from './jobs-board.js';
import { PartnerActionsController } from './partner-actions.controller.js';
import { PartnersController } from './partners.controller.js';
import { ProvidersController } from './providers.controller.js';
import { AdminAuthMiddleware } from './session/admin-auth.middleware.js';
import { AdminSessionMiddleware } from './session/admin-session.middleware.js';
import { SignInController } from './sign-in.controller.js';
import { TracersController } from './tracers.controller.js';
import { UserActionsController } from './user-actions.controller.js';
import { UserBackfillsController } from './user-backfills.controller.js';
import { UserPageData } from './user-page-data.js';
import { UsersController } from './users.controller.js';

/** The admin pages under /admin (the api role only): sessions in Redis, CSRF on every form, audit log. */
@Module({
  imports: [
    BackfillsModule,
    ClusterMembershipModule,
    ConnectModule,
    ConnectionsModule,
    ImapModule,
    MailStatsModule,
    OperatorsModule,
    OperatorUsersModule,
    PartnersModule,
    ProvidersModule,
    TracerLogsModule,
    UsersModule,
    WebhooksModule,
  ],
  controllers: [
    SignInController,
    HomeController,
    PartnersController,
    PartnerActionsController,
    ProvidersController,
    ConnectionsController,
    ConnectionUsersController,
    UsersController,
    UserActionsController,
    UserBackfillsController,
    EventsController,
    TracersController,
    AdminUsersController,
    AuditController,
  ],
  providers: [AdminSessionMiddleware, AdminAuthMiddleware, JobsBoard, UserPageData, DashboardData],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every path under /admin, including unknown ones: nothing there is reachable without a session.
    consumer.apply(AdminSessionMiddleware, AdminAuthMiddleware).forRoutes('admin', 'admin/*path');
  }
}
