import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { PartnersService } from '@app/partners';
import { CreatePartnerDto } from '@app/partners/http';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { lines, optional, validateForm } from './pages/form-validation.js';
import { formFields, queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import {
  type PartnerFormValues,
  partnerFormPage,
  partnerFormValues,
  partnerPage,
  partnersListPage,
} from './pages/partner-pages.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const FORM_FIELDS = Object.keys(partnerFormValues()) as (keyof PartnerFormValues)[];

/** Partners: list, create (API key and webhook secret shown once), edit URLs, rotate the webhook secret. */
@ApiExcludeController()
@Controller('admin/partners')
export class PartnersController {
  constructor(
    private readonly partners: PartnersService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const filter = { name: queryText(query, 'name') };
    const page = await this.partners.page(filter, {
      limit: PAGE_SIZE,
      cursor: queryText(query, 'cursor') || undefined,
    });
    sendPage(
      response,
      200,
      partnersListPage({
        admin: signedInAdmin(response),
        partners: page.rows.map((row) => row.entity),
        filter,
        nextCursor: page.nextCursor,
        notice: takeNotice(request),
      }),
    );
  }

  @Get('new')
  newForm(@Res() response: Response): void {
    sendPage(
      response,
      200,
      partnerFormPage({ admin: signedInAdmin(response), values: partnerFormValues(), errors: [] }),
    );
  }

  @Post()
  async create(@Req() request: Request, @Res() response: Response): Promise<void> {
    const admin = signedInAdmin(response);
    const values = formFields(request.body, FORM_FIELDS);
    const input = this.validated(values, response);
    if (!input) return;
    let created;
    try {
      created = await this.partners.create(input);
    } catch (error) {
      return this.refuse(error, values, response);
    }
    await this.audit.record({
      ...actor(request, admin),
      action: 'partner.create',
      target: created.partner.id,
      details: { name: created.partner.name },
    });
    sendPage(
      response,
      201,
      partnerPage({
        admin,
        partner: created.partner,
        notice: 'Partner created.',
        secrets: [
          { label: 'API key', value: created.apiKey },
          { label: 'Webhook secret', value: created.webhookSecret },
        ],
      }),
    );
  }

  @Get(':id')
  async show(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const partner = await this.partners.get(id);
    sendPage(response, 200, partnerPage({ admin: signedInAdmin(response), partner, notice: takeNotice(request) }));
  }

  @Get(':id/edit')
  async editForm(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const partner = await this.partners.get(id);
    sendPage(
      response,
      200,
      partnerFormPage({ admin: signedInAdmin(response), partner, values: partnerFormValues(partner), errors: [] }),
    );
  }

  @Post(':id')
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const partner = await this.partners.get(id);
    const values = formFields(request.body, FORM_FIELDS);
    const input = this.validated(values, response, partner);
    if (!input) return;
    try {
      await this.partners.replaceSettings(id, input);
    } catch (error) {
      return this.refuse(error, values, response, partner);
    }
    await this.audit.record({
      ...actor(request, admin),
      action: 'partner.update',
      target: id,
      details: { name: input.name },
    });
    request.session.notice = 'Partner saved.';
    response.redirect(303, `/admin/partners/${id}`);
  }

  @Get(':id/rotate-webhook-secret')
  async confirmRotation(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const partner = await this.partners.get(id);
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/partners',
        title: `Rotate the webhook secret of ${partner.name}?`,
        message:
          'A new secret signs every webhook from now on; the current one keeps signing alongside it for 24 hours, so the partner can switch without losing deliveries.',
        action: `/admin/partners/${id}/rotate-webhook-secret`,
        button: 'Rotate webhook secret',
        cancel: `/admin/partners/${id}`,
      }),
    );
  }

  @Post(':id/rotate-webhook-secret')
  async rotate(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const secret = await this.partners.rotateWebhookSecret(id);
    await this.audit.record({ ...actor(request, admin), action: 'partner.rotate_webhook_secret', target: id });
    const partner = await this.partners.get(id);
    sendPage(
      response,
      200,
      partnerPage({
        admin,
        partner,
        notice: 'Webhook secret rotated.',
        secrets: [{ label: 'New webhook secret', value: secret }],
      }),
    );
  }

  /** The DTO the CLI uses too; on failure the form comes back with the messages and the typed values. */
  private validated(
    values: PartnerFormValues,
    response: Response,
    partner?: Awaited<ReturnType<PartnersService['get']>>,
  ): CreatePartnerDto | null {
    const result = validateForm(CreatePartnerDto, {
      name: values.name.trim(),
      newMailWebhook: optional(values.newMailWebhook),
      userConnectedWebhook: optional(values.userConnectedWebhook),
      userDisconnectedWebhook: optional(values.userDisconnectedWebhook),
      accountErrorWebhook: optional(values.accountErrorWebhook),
      successUrl: optional(values.successUrl),
      failureUrl: optional(values.failureUrl),
      allowedRedirectUrls: lines(values.allowedRedirectUrls),
    });
    if (result.value) return result.value;
    sendPage(
      response,
      400,
      partnerFormPage({ admin: signedInAdmin(response), partner, values, errors: result.errors }),
    );
    return null;
  }

  private refuse(
    error: unknown,
    values: PartnerFormValues,
    response: Response,
    partner?: Awaited<ReturnType<PartnersService['get']>>,
  ): void {
    if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
    sendPage(
      response,
      400,
      partnerFormPage({ admin: signedInAdmin(response), partner, values, errors: [error.message] }),
    );
  }
}
