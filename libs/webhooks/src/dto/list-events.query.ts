import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';

import { IsTimestamp } from '@app/core';
import { PageQuery } from '@app/core/http';

import { WEBHOOK_EVENT_STATUSES, type WebhookEventStatus } from '../webhook-event.entity.js';

export class ListEventsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_STATUSES)
  status?: WebhookEventStatus;

  @ApiPropertyOptional({ description: "Only this user's events." })
  @IsOptional()
  @IsString()
  user_tag?: string;

  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601).' })
  @IsOptional()
  @IsTimestamp()
  since?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601).' })
  @IsOptional()
  @IsTimestamp()
  until?: string;
}
