import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { PartnerAuthGuard } from './partner-auth.guard.js';

/** Marks a controller as part of the partner API: API-key auth, rate limit, documented as such. */
export function PartnerApi(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(PartnerAuthGuard),
    ApiSecurity('api_key'),
    ApiHeader({ name: 'x-api-key', required: false, description: 'Partner API key (or the api_key parameter).' }),
    ApiUnauthorizedResponse({ description: 'Missing or wrong API key.' }),
    ApiTooManyRequestsResponse({ description: 'Rate limit exceeded; see Retry-After.' }),
  );
}
