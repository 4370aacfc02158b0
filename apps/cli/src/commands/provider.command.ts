import { CreateProviderDto, type ImapProvider, ProvidersModule, ProvidersService } from '@app/providers';

import { camelCaseKeys, parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap provider create --code CODE --title TITLE --imap-host HOST --imap-port PORT
         --imap-security tls|starttls|none --auth password|oauth2
         [--smtp-host HOST --smtp-port PORT --smtp-security tls|starttls|none]
         [--oauth2-authorize-url URL --oauth2-token-url URL --oauth2-userinfo-url URL --oauth2-revoke-url URL
          --oauth2-scope SCOPE]
       superimap provider list`;

const CREATE_FLAGS = Object.fromEntries(
  [
    'code',
    'title',
    'auth',
    'imap-host',
    'imap-port',
    'imap-security',
    'smtp-host',
    'smtp-port',
    'smtp-security',
    'oauth2-authorize-url',
    'oauth2-token-url',
    'oauth2-userinfo-url',
    'oauth2-revoke-url',
    'oauth2-scope',
  ].map((name) => [name, { type: 'string' as const }]),
);

export async function providerCommand([action, ...args]: string[]): Promise<unknown> {
  if (action === 'list') {
    parseFlags(args, {});
    return withCommandContext([ProvidersModule], async (context) =>
      (await context.get(ProvidersService).list()).map(describeProvider),
    );
  }
  if (action !== 'create') throw new CliError(USAGE, USAGE_ERROR);
  const input = toValidDto(CreateProviderDto, camelCaseKeys(parseFlags(args, CREATE_FLAGS)));
  return withCommandContext([ProvidersModule], async (context) =>
    describeProvider(await context.get(ProvidersService).create(input)),
  );
}

function describeProvider(provider: ImapProvider): Record<string, unknown> {
  return {
    code: provider.code,
    title: provider.title,
    auth: provider.auth,
    imap: `${provider.imapHost}:${provider.imapPort} (${provider.imapSecurity})`,
    smtp: provider.smtpHost ? `${provider.smtpHost}:${provider.smtpPort} (${provider.smtpSecurity})` : null,
  };
}
