import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

import { PageQuery } from '@app/core';

import { USER_STATES, type UserState } from '../user.entity.js';

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only archived (true) or only active (false) users.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  archived?: boolean;

  @ApiPropertyOptional({ enum: USER_STATES })
  @IsOptional()
  @IsIn(USER_STATES)
  state?: UserState;
}
