import { Module } from '@nestjs/common';

import { AdminModule } from '@app/admin';
import { ConnectModule } from '@app/connect';
import { BackfillsApiModule, EventBodyRefetchModule } from '@app/imap';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { TracersApiModule } from '@app/tracers';
import { UsersApiModule } from '@app/users';
import { EventsApiModule } from '@app/webhooks';

/** The api role: partner REST API, connect pages, admin pages (health and metrics come from core). */
@Module({
  imports: [
    AdminModule,
    ConnectModule,
    PartnersModule,
    ProvidersModule,
    UsersApiModule,
    EventsApiModule,
    BackfillsApiModule,
    EventBodyRefetchModule,
    TracersApiModule,
  ],
})
export class ApiRoleModule {}
