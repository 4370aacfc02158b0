import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { UserFieldsDto } from './user-fields.dto.js';
import { IsUserTag } from './user-tag.decorator.js';

export class UpdateUserDto extends UserFieldsDto {
  @ApiPropertyOptional({ description: 'Renames the user.' })
  @IsOptional()
  @IsUserTag()
  tag?: string;
}
