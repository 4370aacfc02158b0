import { readFileSync } from 'node:fs';

import { type ImapProvider, ProvidersModule, ProvidersService } from '@app/providers';
import { CreateProviderDto } from '@app/providers/http';

import { camelCaseKeys, parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = `usage: superimap provider create --code CODE --title TITLE --imap-host HOST --imap-port PORT
         --imap-security tls|starttls|none --auth password|oauth2
         [--smtp-host HOST --smtp-port PORT --smtp-security tls|starttls|none]
         [--oauth2-authorize-url URL --oauth2-token-url URL --oauth2-userinfo-url URL --oauth2-revoke-url URL
          --oauth2-scope SCOPE] [--oauth2-param KEY=VALUE]...
         [--tls-ca PEM_FILE | --tls-insecure]   trust a private CA / self-signed certificate; insecure: not in production
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
      'tls-ca',
    ].map((name) => [name, { type: 'string' as const }]),
  ),
  'oauth2-param': { type: 'string' as const, multiple: true },
  'tls-insecure': { type: 'boolean' as const },
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
  if (typeof flags['tls-ca'] === 'string') flags['tls-ca'] = readPem(flags['tls-ca']);
  const input = toValidDto(CreateProviderDto, { ...camelCaseKeys(flags), oauth2Params: keyValues(params) });
  return withCommandContext([ProvidersModule], async (context) =>
    describeProvider(await context.get(ProvidersService).create(input)),
  );
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`--tls-ca: cannot read ${path}: ${(error as Error).message}`, USAGE_ERROR);
  }
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
    tls: provider.tlsInsecure ? 'insecure (no certificate check)' : provider.tlsCa ? 'own CA bundle' : 'public CAs',
  };
}
