import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';

import { ConnectionsModule } from '@app/connections';
import { BackfillsModule } from '@app/imap';
import { OperatorsModule } from '@app/operators';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { AdminUsersController } from './admin-users.controller.js';
import { AuditController } from './audit.controller.js';
import { ConnectionsController } from './connections.controller.js';
import { EventsController } from './events.controller.js';
import { HomeController } from './home.controller.js';
import { JobsBoard } from './jobs-board.js';
import { PartnersController } from './partners.controller.js';
import { AdminAuthMiddleware } from './session/admin-auth.middleware.js';
import { AdminSessionMiddleware } from './session/admin-session.middleware.js';
import { SignInController } from './sign-in.controller.js';
import { UserBackfillsController } from './user-backfills.controller.js';
import { UsersController } from './users.controller.js';

/** The admin pages under /admin (the api role only): sessions in Redis, CSRF on every form, audit log. */
@Module({
  imports: [
    BackfillsModule,
    ConnectionsModule,
    OperatorsModule,
    PartnersModule,
    ProvidersModule,
    UsersModule,
    WebhooksModule,
  ],
  controllers: [
    SignInController,
    HomeController,
    PartnersController,
    ConnectionsController,
    UsersController,
    UserBackfillsController,
    EventsController,
    AdminUsersController,
    AuditController,
  ],
  providers: [AdminSessionMiddleware, AdminAuthMiddleware, JobsBoard],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every path under /admin, including unknown ones: nothing there is reachable without a session.
    consumer.apply(AdminSessionMiddleware, AdminAuthMiddleware).forRoutes('admin', 'admin/*path');
  }
}
