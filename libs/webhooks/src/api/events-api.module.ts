import { Module } from '@nestjs/common';

import { PartnerAuthModule } from '@app/partners';

import { WebhooksModule } from '../webhooks.module.js';
import { EventsController } from './events.controller.js';

/** The partner API's event routes (mounted by the api role only). */
@Module({ imports: [WebhooksModule, PartnerAuthModule], controllers: [EventsController] })
export class EventsApiModule {}
