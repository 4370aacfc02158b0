import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString } from 'class-validator';

export class ArchiveUserQuery {
  @ApiPropertyOptional({ description: 'true deletes the user and all its data for good instead of archiving it.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  erase?: boolean;

  @ApiPropertyOptional({ description: 'The API key, when not sent as the x-api-key header.' })
  @IsOptional()
  @IsString()
  api_key?: string;
}
