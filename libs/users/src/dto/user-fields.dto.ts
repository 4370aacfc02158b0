import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Form-encoded bodies (the seed's Ruby client) carry booleans as text. */
function formBoolean({ value }: { value: unknown }): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/** Fields a user takes on create and update; which credentials apply depends on the provider. */
export class UserFieldsDto {
  @ApiPropertyOptional({ example: 'alice@example.com', description: 'Mailbox address (OAuth2 users).' })
  @IsOptional()
  @IsEmail({ require_tld: false })
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'IMAP login (password providers).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  login_username?: string;

  @ApiPropertyOptional({
    description: 'IMAP password or app password (password providers). Write-only.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  login_password?: string;

  @ApiPropertyOptional({
    description: 'OAuth2 refresh token to import (OAuth2 providers). Write-only.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  oauth2_refresh_token?: string;

  @ApiPropertyOptional({ description: 'Send tracer emails to this mailbox to measure latency.' })
  @IsOptional()
  @Transform(formBoolean)
  @IsBoolean()
  enable_tracer?: boolean;

  @ApiPropertyOptional({ description: 'true archives the user (stops watching); false restores it.' })
  @IsOptional()
  @Transform(formBoolean)
  @IsBoolean()
  archived?: boolean;
}
