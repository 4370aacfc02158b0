import { CreateProviderDto, type ImapProvider, ProvidersModule, ProvidersService } from '@app/providers';

import { camelCaseKeys, parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap provider create --code CODE --title TITLE --imap-host HOST --imap-port PORT
         --imap-security tls|starttls|none --auth password|oauth2
         [--smtp-host HOST --smtp-port PORT --smtp-security tls|starttls|none]
         [--oauth2-authorize-url URL --oauth2-token-url URL --oauth2-userinfo-url URL --oauth2-revoke-url URL
          --oauth2-scope SCOPE] [--oauth2-param KEY=VALUE]...
       superimap provider list`;

const CREATE_FLAGS = {
  ...Object.fromEntries(
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
  ),
  'oauth2-param': { type: 'string' as const, multiple: true },
};

export async function providerCommand([action, ...args]: string[]): Promise<unknown> {
  if (action === 'list') {
    parseFlags(args, {});
    return withCommandContext([ProvidersModule], async (context) =>
      (await context.get(ProvidersService).list()).map(describeProvider),
    );
  }
  if (action !== 'create') throw new CliError(USAGE, USAGE_ERROR);
  const { 'oauth2-param': params, ...flags } = parseFlags(args, CREATE_FLAGS);
  const input = toValidDto(CreateProviderDto, { ...camelCaseKeys(flags), oauth2Params: keyValues(params) });
  return withCommandContext([ProvidersModule], async (context) =>
    describeProvider(await context.get(ProvidersService).create(input)),
  );
}

/** `--oauth2-param access_type=offline` pairs as an object. */
function keyValues(pairs: unknown): Record<string, string> | undefined {
  if (!Array.isArray(pairs)) return undefined;
  return Object.fromEntries(
    pairs.map((pair: string) => {
      const index = pair.indexOf('=');
      if (index < 1) throw new CliError(`--oauth2-param needs KEY=VALUE, got '${pair}'`, USAGE_ERROR);
      return [pair.slice(0, index), pair.slice(index + 1)];
    }),
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
