import { ApiProperty } from '@nestjs/swagger';

import { TRACER_STATUSES } from '../tracer-log.entity.js';

export class TracerResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: TRACER_STATUSES })
  status!: string;

  @ApiProperty({ nullable: true, type: String, description: 'Why SMTP refused it, or why it was never sent.' })
  error!: string | null;

  @ApiProperty()
  created_at!: string;

  @ApiProperty({ nullable: true, type: String })
  sent_at!: string | null;

  @ApiProperty({ nullable: true, type: String })
  detected_at!: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'detected_at − sent_at, in seconds.' })
  latency_seconds!: number | null;
}

export class TracerSummaryResponse {
  @ApiProperty()
  since!: string;

  @ApiProperty()
  total!: number;

  @ApiProperty({ example: { pending: 0, sent: 0, failed: 0, detected: 3, missing: 0 } })
  by_status!: Record<string, number>;

  @ApiProperty({ nullable: true, type: Number })
  p50_seconds!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  p95_seconds!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  max_seconds!: number | null;
}

export class TracerListResponse {
  @ApiProperty({ type: TracerSummaryResponse })
  summary!: TracerSummaryResponse;

  @ApiProperty({ type: [TracerResponse] })
  tracers!: TracerResponse[];
}
