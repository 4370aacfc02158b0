import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';

import { PartnerApi } from '@app/partners/http';
import { ProvidersService } from '@app/providers';

export class ProviderResponse {
  @ApiProperty({ example: 'GMAIL_OAUTH2', description: 'Use as imap_provider_code.' })
  code!: string;

  @ApiProperty({ example: 'Gmail' })
  title!: string;

  @ApiProperty({ enum: ['password', 'oauth2'], description: 'Which user credentials the provider takes.' })
  auth!: string;
}

/** The providers a partner can connect to; beside the connection routes that name them. */
@ApiTags('providers')
@PartnerApi()
@Controller('api/v1/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Get()
  @ApiOperation({ summary: 'List the IMAP providers a connection can use.' })
  @ApiOkResponse({ type: [ProviderResponse] })
  async list(): Promise<ProviderResponse[]> {
    return (await this.providers.list()).map(({ code, title, auth }) => ({ code, title, auth }));
  }
}
