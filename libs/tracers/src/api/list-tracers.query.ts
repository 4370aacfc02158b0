import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

export class ListTracersQuery {
  @ApiPropertyOptional({ description: 'Window, in hours back from now.', default: 24 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0.01)
  @Max(24 * 90)
  hours = 24;

  @ApiPropertyOptional({ description: 'Most tracers listed.', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ description: 'The API key, when not sent as the x-api-key header.' })
  @IsOptional()
  @IsString()
  api_key?: string;
}
