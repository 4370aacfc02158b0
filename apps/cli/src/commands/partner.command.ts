import { type Partner, PartnersModule, PartnersService } from '@app/partners';
import { CreatePartnerDto, UpdatePartnerDto } from '@app/partners/http';

import { camelCaseKeys, parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap partner create --name NAME [--new-mail-webhook URL] [--user-connected-webhook URL]
         [--user-disconnected-webhook URL] [--account-error-webhook URL] [--success-url URL] [--failure-url URL]
         [--allowed-redirect-url URL]...   (origins or URL prefixes connect pages may return users to)
         [--max-users N]                   (a quota of active users)
       superimap partner update --id PARTNER_ID [any create flag]
       superimap partner list
       superimap partner rotate-secret --id PARTNER_ID
       superimap partner rotate-key --id PARTNER_ID [--grace-seconds N]   (old key revoked, or valid N more seconds)
       superimap partner disable|enable --id PARTNER_ID
       superimap partner delete --id PARTNER_ID --yes   (deletes its connections, users and events too)`;

const CREATE_FLAGS = {
  ...Object.fromEntries(
    [
      'name',
      'new-mail-webhook',
      'user-connected-webhook',
      'user-disconnected-webhook',
      'account-error-webhook',
      'success-url',
      'failure-url',
      'max-users',
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
    case 'update': {
      const {
        id,
        'allowed-redirect-url': allowed,
        ...flags
      } = parseFlags(args, {
        ...CREATE_FLAGS,
        id: { type: 'string' },
      });
      if (typeof id !== 'string') throw new CliError('--id is required', USAGE_ERROR);
      const input = toValidDto(UpdatePartnerDto, { ...camelCaseKeys(flags), allowedRedirectUrls: allowed });
      return withCommandContext([PartnersModule], async (context) =>
        describePartner(await context.get(PartnersService).update(id, input)),
      );
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
    case 'rotate-key': {
      const flags = parseFlags(args, { id: { type: 'string' }, 'grace-seconds': { type: 'string' } });
      const id = requiredId(flags.id);
      const grace = flags['grace-seconds'] === undefined ? 0 : Number(flags['grace-seconds']);
      if (!Number.isInteger(grace) || grace < 0) {
        throw new CliError('--grace-seconds must be a whole number of seconds', USAGE_ERROR);
      }
      return withCommandContext([PartnersModule], async (context) => ({
        id,
        // Shown once, like at creation: it is stored encrypted.
        api_key: await context.get(PartnersService).rotateApiKey(id, grace),
        previous_key_valid_for_seconds: grace,
      }));
    }
    case 'disable':
    case 'enable': {
      const id = requiredId(parseFlags(args, { id: { type: 'string' } }).id);
      return withCommandContext([PartnersModule], async (context) => {
        const partner = await context.get(PartnersService).setDisabled(id, action === 'disable');
        return { ...describePartner(partner), disabled_at: partner.disabledAt };
      });
    }
    case 'delete': {
      const flags = parseFlags(args, { id: { type: 'string' }, yes: { type: 'boolean' } });
      const id = requiredId(flags.id);
      if (flags.yes !== true) throw new CliError('partner delete erases all of its data: add --yes', USAGE_ERROR);
      // With Redis, so the imap-clients hear at once that the partner's mailboxes are gone.
      return withCommandContext(
        [PartnersModule],
        async (context) => {
          await context.get(PartnersService).delete(id);
          return { id, deleted: true };
        },
        { queues: true },
      );
    }
    default:
      throw new CliError(USAGE, USAGE_ERROR);
  }
}

function requiredId(id: unknown): string {
  if (typeof id !== 'string') throw new CliError('--id is required', USAGE_ERROR);
  return id;
}

function describePartner(partner: Partner): Record<string, unknown> {
  return {
    id: partner.id,
    name: partner.name,
    new_mail_webhook: partner.newMailWebhook,
    user_connected_webhook: partner.userConnectedWebhook,
    user_disconnected_webhook: partner.userDisconnectedWebhook,
    account_error_webhook: partner.accountErrorWebhook,
    success_url: partner.successUrl,
    failure_url: partner.failureUrl,
    allowed_redirect_urls: partner.allowedRedirectUrls,
    max_users: partner.maxUsers,
    disabled: partner.disabledAt !== null && partner.disabledAt !== undefined,
    created_at: partner.createdAt,
  };
}
