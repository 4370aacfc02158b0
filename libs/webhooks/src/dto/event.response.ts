import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DeliveryAttemptResponse {
  @ApiProperty()
  attempt!: number;

  @ApiProperty({ nullable: true, type: Number })
  response_code!: number | null;

  @ApiProperty({ nullable: true, type: String, description: 'First 1 KiB of the response body.' })
  response_body!: string | null;

  @ApiProperty({ nullable: true, type: String })
  error!: string | null;

  @ApiProperty()
  duration_ms!: number;

  @ApiProperty()
  created_at!: string;
}

export class EventResponse {
  @ApiProperty({ description: 'Also the webhook-id header of every delivery of this event.' })
  id!: string;

  @ApiProperty({ enum: ['new_mail', 'user_connected', 'user_disconnected', 'account_error'] })
  type!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'skipped'] })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ nullable: true, type: String })
  user_tag!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "The user's stable id (as in connect_url); unlike the tag, never renamed or reused.",
  })
  user_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  last_error!: string | null;

  @ApiProperty({ description: 'uid, size, truncated, sha1, envelope, internal_date (new_mail).' })
  details!: Record<string, unknown>;

  @ApiProperty()
  created_at!: string;

  @ApiProperty({ nullable: true, type: String })
  delivered_at!: string | null;

  @ApiPropertyOptional({ type: [DeliveryAttemptResponse] })
  delivery_attempts?: DeliveryAttemptResponse[];
}
