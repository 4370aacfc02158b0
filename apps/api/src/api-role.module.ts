import { Module } from '@nestjs/common';

import { AdminModule } from '@app/admin';
import { ConnectModule } from '@app/connect';
import { EventBodyRefetchModule } from '@app/imap';
import { BackfillsApiModule } from '@app/imap/http';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { TracersApiModule } from '@app/tracers/http';
import { UsersApiModule } from '@app/users/http';
import { EventsApiModule } from '@app/webhooks/http';

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
