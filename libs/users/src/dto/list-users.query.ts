import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

import { PageQuery } from '@app/core/http';

import { API_USER_STATES, type ApiUserState } from '../user-status.js';

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only archived (true) or only active (false) users.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  archived?: boolean;

  @ApiPropertyOptional({ enum: API_USER_STATES, description: 'Only users in this state (as `state` reports it).' })
  @IsOptional()
  @IsIn(API_USER_STATES)
  state?: ApiUserState;
}
