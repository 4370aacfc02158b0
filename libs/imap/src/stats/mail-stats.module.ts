import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { MailLog } from '../pipeline/mail-log.entity.js';
import { MailActivity } from './mail-activity.query.js';

/** Operator figures over the mail log (the admin dashboard), without the connector or pipeline. */
@Module({ imports: [TypeOrmModule.forFeature([MailLog])], providers: [MailActivity], exports: [MailActivity] })
export class MailStatsModule {}
