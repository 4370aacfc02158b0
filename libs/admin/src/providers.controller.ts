import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { type ImapProvider, ProvidersService } from '@app/providers';
import { CreateProviderDto } from '@app/providers/http';

import { actor } from './admin-actor.js';
import { lines, optional, validateForm } from './pages/form-validation.js';
import { formFields, queryText } from './pages/forms.js';
import {
  type ProviderFormValues,
  providerFormPage,
  providerFormValues,
  providersListPage,
} from './pages/provider-pages.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const FORM_FIELDS = Object.keys(providerFormValues()) as (keyof ProviderFormValues)[];
/** The settings an edit may change (code and authentication stay), as the audit log names them. */
const EDITABLE = FORM_FIELDS.filter((name) => name !== 'code' && name !== 'auth');

/** IMAP providers: list, new, edit (IMAP, SMTP and OAuth2 settings). Providers hold no secrets. */
@ApiExcludeController()
@Controller('admin/providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const filter = { q: queryText(query, 'q') };
    sendPage(
      response,
      200,
      providersListPage({
        admin: signedInAdmin(response),
        providers: await this.providers.search(filter.q),
        filter,
        notice: takeNotice(request),
      }),
    );
  }

  @Get('new')
  newForm(@Res() response: Response): void {
    sendPage(
      response,
      200,
      providerFormPage({ admin: signedInAdmin(response), values: providerFormValues(), errors: [] }),
    );
  }

  @Post()
  async create(@Req() request: Request, @Res() response: Response): Promise<void> {
    const values = formFields(request.body, FORM_FIELDS);
    const checked = definition(values);
    if (!checked.value) return this.refuse(response, values, checked.errors);
    let created: ImapProvider;
    try {
      created = await this.providers.create(checked.value);
    } catch (error) {
      return this.refuse(response, values, [domainMessage(error)]);
    }
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'provider.create',
      target: created.code,
      details: { auth: created.auth, imap_host: created.imapHost },
    });
    request.session.notice = `Provider ${created.code} created.`;
    response.redirect(303, '/admin/providers');
  }

  @Get(':code/edit')
  async editForm(@Param('code') code: string, @Res() response: Response): Promise<void> {
    const provider = await this.providers.getByCode(code);
    sendPage(
      response,
      200,
      providerFormPage({ admin: signedInAdmin(response), provider, values: providerFormValues(provider), errors: [] }),
    );
  }

  @Post(':code')
  async update(@Param('code') code: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const provider = await this.providers.getByCode(code);
    const values = { ...formFields(request.body, FORM_FIELDS), code: provider.code, auth: provider.auth };
    const checked = definition(values);
    if (!checked.value) return this.refuse(response, values, checked.errors, provider);
    let updated: ImapProvider;
    try {
      updated = await this.providers.update(provider.code, settingsOf(checked.value));
    } catch (error) {
      return this.refuse(response, values, [domainMessage(error)], provider);
    }
    const before = providerFormValues(provider);
    const after = providerFormValues(updated);
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'provider.update',
      target: provider.code,
      details: { changed: EDITABLE.filter((name) => before[name] !== after[name]).join(', ') },
    });
    request.session.notice = `Provider ${provider.code} saved.`;
    response.redirect(303, '/admin/providers');
  }

  private refuse(response: Response, values: ProviderFormValues, errors: string[], provider?: ImapProvider): void {
    sendPage(response, 400, providerFormPage({ admin: signedInAdmin(response), provider, values, errors }));
  }
}

/** The form as the providers lib's DTO: empty optional fields are "not set", extra parameters one per line. */
function definition(values: ProviderFormValues) {
  const params: Record<string, string> = {};
  const errors: string[] = [];
  for (const line of lines(values.oauth2Params)) {
    const index = line.indexOf('=');
    if (index < 1) errors.push(`Extra authorization parameters need KEY=VALUE on each line, got '${line}'`);
    else params[line.slice(0, index).trim()] = line.slice(index + 1).trim();
  }
  const checked = validateForm(CreateProviderDto, {
    code: values.code.trim(),
    title: values.title.trim(),
    auth: values.auth,
    imapHost: values.imapHost.trim(),
    imapPort: values.imapPort.trim(),
    imapSecurity: values.imapSecurity,
    smtpHost: optional(values.smtpHost),
    smtpPort: optional(values.smtpPort),
    smtpSecurity: optional(values.smtpSecurity),
    oauth2AuthorizeUrl: optional(values.oauth2AuthorizeUrl),
    oauth2TokenUrl: optional(values.oauth2TokenUrl),
    oauth2UserinfoUrl: optional(values.oauth2UserinfoUrl),
    oauth2RevokeUrl: optional(values.oauth2RevokeUrl),
    oauth2Scope: optional(values.oauth2Scope),
    oauth2Params: params,
    tlsCa: optional(values.tlsCa),
    tlsInsecure: values.tlsInsecure === 'on',
  });
  if (errors.length > 0) return { value: null, errors: [...errors, ...checked.errors] };
  return checked;
}

/** What an edit may change: everything but the code and the authentication. */
function settingsOf(dto: CreateProviderDto): Omit<CreateProviderDto, 'code' | 'auth'> {
  const settings: Partial<CreateProviderDto> = { ...dto };
  delete settings.code;
  delete settings.auth;
  return settings as Omit<CreateProviderDto, 'code' | 'auth'>;
}

/** A refusal from a lib (exists, insecure in production) as a form error; anything else stays a 500. */
function domainMessage(error: unknown): string {
  if (!(error instanceof DomainError) || error.status >= 500) throw error;
  return error.message;
}
