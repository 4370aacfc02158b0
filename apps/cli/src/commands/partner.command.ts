import { CreatePartnerDto, type Partner, PartnersModule, PartnersService } from '@app/partners';

import { camelCaseKeys, parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap partner create --name NAME [--new-mail-webhook URL] [--user-connected-webhook URL]
         [--user-disconnected-webhook URL] [--success-url URL] [--failure-url URL]
         [--allowed-redirect-url URL]...   (origins or URL prefixes connect pages may return users to)
       superimap partner list
       superimap partner rotate-secret --id PARTNER_ID`;

const CREATE_FLAGS = {
  ...Object.fromEntries(
    [
      'name',
      'new-mail-webhook',
      'user-connected-webhook',
      'user-disconnected-webhook',
      'success-url',
      'failure-url',
    ].map((name) => [name, { type: 'string' as const }]),
  ),
  'allowed-redirect-url': { type: 'string' as const, multiple: true },
};

export async function partnerCommand([action, ...args]: string[]): Promise<unknown> {
  switch (action) {
    case 'create': {
      const { 'allowed-redirect-url': allowed, ...flags } = parseFlags(args, CREATE_FLAGS);
      const input = toValidDto(CreatePartnerDto, { ...camelCaseKeys(flags), allowedRedirectUrls: allowed });
      return withCommandContext([PartnersModule], async (context) => {
        const created = await context.get(PartnersService).create(input);
        // The only time the key and secret are shown: they are stored encrypted.
        return { ...describePartner(created.partner), api_key: created.apiKey, webhook_secret: created.webhookSecret };
      });
    }
    case 'list':
      parseFlags(args, {});
      return withCommandContext([PartnersModule], async (context) =>
        (await context.get(PartnersService).list()).map(describePartner),
      );
    case 'rotate-secret': {
      const { id } = parseFlags(args, { id: { type: 'string' } });
      if (typeof id !== 'string') throw new CliError('--id is required', USAGE_ERROR);
      return withCommandContext([PartnersModule], async (context) => ({
        id,
        webhook_secret: await context.get(PartnersService).rotateWebhookSecret(id),
        previous_secret_valid_for_hours: 24,
      }));
    }
    default:
      throw new CliError(USAGE, USAGE_ERROR);
  }
}

function describePartner(partner: Partner): Record<string, unknown> {
  return {
    id: partner.id,
    name: partner.name,
    new_mail_webhook: partner.newMailWebhook,
    user_connected_webhook: partner.userConnectedWebhook,
    user_disconnected_webhook: partner.userDisconnectedWebhook,
    success_url: partner.successUrl,
    failure_url: partner.failureUrl,
    allowed_redirect_urls: partner.allowedRedirectUrls,
    created_at: partner.createdAt,
  };
}
