import { Module } from '@nestjs/common';

import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { DataRetention } from './data-retention.service.js';

/** The periodic retention purge (imported by the worker role). */
@Module({ imports: [UsersModule, WebhooksModule], providers: [DataRetention], exports: [DataRetention] })
export class DataRetentionModule {}
