import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

import type { ProviderAuth, TransportSecurity } from '../imap-provider.entity.js';

const SECURITY = ['tls', 'starttls', 'none'] as const;
const HOST = /^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:]+\]?$/;
const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Operator input for a new IMAP provider (CLI and admin pages). */
export class CreateProviderDto {
  @Matches(/^[A-Z0-9_]{2,64}$/, { message: 'code must be 2-64 upper-case letters, digits or underscores' })
  code!: string;

  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsIn(['password', 'oauth2'])
  auth!: ProviderAuth;

  @Matches(HOST, { message: 'imapHost must be a host name or IP address' })
  imapHost!: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  imapPort!: number;

  @IsIn(SECURITY)
  imapSecurity!: TransportSecurity;

  @IsOptional()
  @Matches(HOST, { message: 'smtpHost must be a host name or IP address' })
  smtpHost?: string;

  @ValidateIf((dto: CreateProviderDto) => dto.smtpHost !== undefined)
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  smtpPort?: number;

  @ValidateIf((dto: CreateProviderDto) => dto.smtpHost !== undefined)
  @IsIn(SECURITY)
  smtpSecurity?: TransportSecurity;

  @ValidateIf((dto: CreateProviderDto) => dto.auth === 'oauth2')
  @IsUrl(URL_OPTIONS)
  oauth2AuthorizeUrl?: string;

  @ValidateIf((dto: CreateProviderDto) => dto.auth === 'oauth2')
  @IsUrl(URL_OPTIONS)
  oauth2TokenUrl?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  oauth2UserinfoUrl?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  oauth2RevokeUrl?: string;

  @IsOptional()
  @IsString()
  oauth2Scope?: string;

  /** Extra authorization parameters, e.g. Google's access_type=offline and prompt=consent. */
  @IsOptional()
  @IsObject()
  oauth2Params?: Record<string, string>;
}
