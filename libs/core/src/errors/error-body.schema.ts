import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ErrorDetailSchema {
  @ApiProperty({ description: 'Stable error code; docs/API.md lists them.', example: 'UserNotFound' })
  code!: string;

  @ApiProperty({ example: "User not found for 'alice'" })
  message!: string;

  @ApiPropertyOptional({ description: 'Per-field problems, for validation errors.' })
  details?: unknown;

  @ApiPropertyOptional({ description: 'Quote it when reporting a 500.' })
  correlation_id?: string;
}

/** OpenAPI description of ErrorBody. */
export class ErrorBodySchema {
  @ApiProperty({ type: ErrorDetailSchema })
  error!: ErrorDetailSchema;
}
