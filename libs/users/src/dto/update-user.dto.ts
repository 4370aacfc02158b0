import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

import { UserFieldsDto } from './user-fields.dto.js';

export class UpdateUserDto extends UserFieldsDto {
  @ApiPropertyOptional({ description: 'Renames the user.' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  tag?: string;
}
