import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

import { ConnectionFieldsDto } from './connection-fields.dto.js';

export class CreateConnectionDto extends ConnectionFieldsDto {
  @ApiProperty({ example: 'GMAIL_OAUTH2', description: 'Code of the IMAP provider.' })
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'imap_provider_code must be a provider code such as GMAIL_OAUTH2' })
  imap_provider_code!: string;
}
