import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Settings a connection takes; OAuth2 providers need the partner's own OAuth2 client. */
export class ConnectionFieldsDto {
  @ApiPropertyOptional({ description: 'OAuth2 client id (OAuth2 providers only).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  oauth2_client_id?: string;

  @ApiPropertyOptional({ description: 'OAuth2 client secret (OAuth2 providers only). Write-only.', writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  oauth2_client_secret?: string;
}
