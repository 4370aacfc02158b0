import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

import { USER_STATES, type UserState } from '../user.entity.js';

export const MAX_PAGE_SIZE = 1000;

export class ListUsersQuery {
  @ApiPropertyOptional({ default: 100, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The X-Next-Cursor header of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only archived (true) or only active (false) users.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  archived?: boolean;

  @ApiPropertyOptional({ enum: USER_STATES })
  @IsOptional()
  @IsIn(USER_STATES)
  state?: UserState;

  @ApiPropertyOptional({ description: 'The API key, when not sent as the x-api-key header.' })
  @IsOptional()
  @IsString()
  api_key?: string;
}
