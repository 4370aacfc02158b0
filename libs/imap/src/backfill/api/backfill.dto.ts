import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { IsTimestamp } from '@app/core';

import { BACKFILL_STATUSES, type Backfill } from '../backfill.entity.js';

export class CreateBackfillDto {
  @ApiPropertyOptional({ description: 'Messages with INTERNALDATE at or after this (ISO 8601); default: the oldest.' })
  @IsOptional()
  @IsTimestamp()
  since?: string;

  @ApiPropertyOptional({ description: 'Messages with INTERNALDATE before this (ISO 8601); default: no end.' })
  @IsOptional()
  @IsTimestamp()
  until?: string;
}

export class BackfillResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: BACKFILL_STATUSES })
  status!: string;

  @ApiProperty({ nullable: true, type: String })
  since!: string | null;

  @ApiProperty({ nullable: true, type: String })
  until!: string | null;

  @ApiProperty({ description: 'Messages in the mailbox within the dates (known once the run has searched).' })
  found!: number;

  @ApiProperty({ description: 'Messages sent as new_mail webhooks with backfill: true.' })
  delivered!: number;

  @ApiProperty({ description: 'Messages already delivered (as live mail or by an earlier backfill): not sent again.' })
  skipped!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed, if it did.' })
  last_error!: string | null;

  @ApiProperty()
  created_at!: string;

  @ApiProperty({ nullable: true, type: String })
  started_at!: string | null;

  @ApiProperty({ nullable: true, type: String })
  finished_at!: string | null;
}

export function toBackfillResponse(backfill: Backfill): BackfillResponse {
  return {
    id: backfill.id,
    status: backfill.status,
    since: backfill.since?.toISOString() ?? null,
    until: backfill.until?.toISOString() ?? null,
    found: backfill.found,
    delivered: backfill.delivered,
    skipped: backfill.skipped,
    last_error: backfill.lastError,
    created_at: backfill.createdAt.toISOString(),
    started_at: backfill.startedAt?.toISOString() ?? null,
    finished_at: backfill.finishedAt?.toISOString() ?? null,
  };
}
