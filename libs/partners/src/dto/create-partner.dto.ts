import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength, Min } from 'class-validator';

const WEB_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Operator input for a new partner (CLI and admin pages). */
export class CreatePartnerDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @IsUrl(WEB_URL, { message: 'newMailWebhook must be an http(s) URL' })
  newMailWebhook?: string;

  @IsOptional()
  @IsUrl(WEB_URL, { message: 'userConnectedWebhook must be an http(s) URL' })
  userConnectedWebhook?: string;

  @IsOptional()
  @IsUrl(WEB_URL, { message: 'userDisconnectedWebhook must be an http(s) URL' })
  userDisconnectedWebhook?: string;

  @IsOptional()
  @IsUrl(WEB_URL, { message: 'successUrl must be an http(s) URL' })
  successUrl?: string;

  @IsOptional()
  @IsUrl(WEB_URL, { message: 'failureUrl must be an http(s) URL' })
  failureUrl?: string;

  /** Where connect and disconnect pages may send users back to: origins or URL prefixes. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUrl(WEB_URL, { each: true, message: 'allowedRedirectUrls must be http(s) URLs' })
  allowedRedirectUrls?: string[];

  /** A quota of active users, so one partner cannot take every mailbox slot of the installation. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  maxUsers?: number;
}
