import { Module } from '@nestjs/common';

import { ConnectModule } from '@app/connect';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { UsersApiModule } from '@app/users';
import { EventsApiModule } from '@app/webhooks';

/** The api role: partner REST API, connect pages, admin pages (health and metrics come from core). */
@Module({ imports: [ConnectModule, PartnersModule, ProvidersModule, UsersApiModule, EventsApiModule] })
export class ApiRoleModule {}
