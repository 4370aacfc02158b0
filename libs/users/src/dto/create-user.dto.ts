import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

import { UserFieldsDto } from './user-fields.dto.js';

export class CreateUserDto extends UserFieldsDto {
  @ApiProperty({ example: 'MY_USER', description: "The partner's own name for this user, unique per connection." })
  @IsString()
  @Length(1, 255)
  tag!: string;
}
