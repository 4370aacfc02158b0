import { Module } from '@nestjs/common';

import { PartnerAuthModule } from '@app/partners';

import { BackfillsModule } from '../backfill.module.js';
import { BackfillsController } from './backfills.controller.js';

/** The partner API's backfill routes (mounted by the api role only). */
@Module({ imports: [BackfillsModule, PartnerAuthModule], controllers: [BackfillsController] })
export class BackfillsApiModule {}
