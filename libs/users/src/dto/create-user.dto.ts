import { ApiProperty } from '@nestjs/swagger';

import { UserFieldsDto } from './user-fields.dto.js';
import { IsUserTag } from './user-tag.decorator.js';

export class CreateUserDto extends UserFieldsDto {
  @ApiProperty({ example: 'MY_USER', description: "The partner's own name for this user, unique per connection." })
  @IsUserTag()
  tag!: string;
}
