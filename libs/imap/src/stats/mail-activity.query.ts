import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { type Bucketed, bucketStartSql, type TimeWindow } from '@app/core';

import { MailLog } from '../pipeline/mail-log.entity.js';

/** Messages seen in watched mailboxes per bucket: every row of the mail log, tracers and duplicates too. */
@Injectable()
export class MailActivity {
  constructor(@InjectRepository(MailLog) private readonly logs: Repository<MailLog>) {}

  /** Only buckets with mail (bounded by created_at, which is indexed). */
  async perBucket(window: TimeWindow): Promise<Bucketed<{ mails: number }>[]> {
    const rows = await this.logs.query<{ start: string; mails: string }[]>(
      `SELECT ${bucketStartSql('created_at', '$2')} AS start, count(*) AS mails
         FROM mail_logs WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`,
      [window.since, window.bucketSeconds],
    );
    return rows.map((row) => ({ start: Number(row.start), values: { mails: Number(row.mails) } }));
  }
}
