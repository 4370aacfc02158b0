import { Module } from '@nestjs/common';

import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';

/** The api role: partner REST API, connect pages, admin pages (health and metrics come from core). */
@Module({ imports: [PartnersModule, ProvidersModule] })
export class ApiModule {}
