import { Module } from '@nestjs/common';

import { PartnerAuthModule } from '@app/partners';
import { UsersModule } from '@app/users';

import { TracerLogsModule } from '../tracers.module.js';
import { TracersController } from './tracers.controller.js';

/** The partner API's tracer routes (mounted by the api role only). */
@Module({ imports: [TracerLogsModule, UsersModule, PartnerAuthModule], controllers: [TracersController] })
export class TracersApiModule {}
