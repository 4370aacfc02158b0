import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { TracerLog } from './tracer-log.entity.js';
import { TracersService } from './tracers.service.js';

@Module({ imports: [TypeOrmModule.forFeature([TracerLog])], providers: [TracersService], exports: [TracersService] })
export class TracersModule {}
