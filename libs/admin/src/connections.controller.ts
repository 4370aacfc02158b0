import { Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { ConnectionsService } from '@app/connections';
import { ConnectionFieldsDto } from '@app/connections/http';
import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { PartnersService } from '@app/partners';
import { ProvidersService } from '@app/providers';
import { UserDirectory } from '@app/users';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { connectionEditPage, connectionsPage } from './pages/connection-pages.js';
import { optional, validateForm } from './pages/form-validation.js';
import { formFields } from './pages/forms.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const FIELDS = ['oauth2_client_id', 'oauth2_client_secret'] as const;

/** A partner's connections: add, edit the OAuth2 client (secret write-only), delete with its user count. */
@ApiExcludeController()
@Controller('admin/partners/:partnerId/connections')
export class ConnectionsController {
  constructor(
    private readonly partners: PartnersService,
    private readonly connections: ConnectionsService,
    private readonly providers: ProvidersService,
    private readonly directory: UserDirectory,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.render(request, response, partnerId, 200, []);
  }

  @Post()
  async create(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.partners.get(partnerId);
    const { provider } = formFields(request.body, ['provider']);
    const fields = this.fields(request.body);
    if (!fields.value) return this.render(request, response, partnerId, 400, fields.errors);
    try {
      await this.connections.create(partnerId, provider, fields.value);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      return this.render(request, response, partnerId, 400, [error.message]);
    }
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'connection.create',
      target: `${partnerId}/${provider}`,
    });
    request.session.notice = `Connection ${provider} added.`;
    response.redirect(303, `/admin/partners/${partnerId}/connections`);
  }

  @Get(':code/edit')
  async editForm(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Res() response: Response,
  ): Promise<void> {
    const partner = await this.partners.get(partnerId);
    const connection = await this.connections.get(partnerId, code);
    sendPage(response, 200, connectionEditPage({ admin: signedInAdmin(response), partner, connection, errors: [] }));
  }

  @Post(':code')
  async update(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const partner = await this.partners.get(partnerId);
    const connection = await this.connections.get(partnerId, code);
    const fields = this.fields(request.body);
    let errors = fields.errors;
    if (fields.value) {
      try {
        await this.connections.update(partnerId, code, fields.value);
      } catch (error) {
        if (!(error instanceof DomainError) || error.status >= 500) throw error;
        errors = [error.message];
      }
    }
    if (errors.length > 0) {
      return sendPage(
        response,
        400,
        connectionEditPage({ admin: signedInAdmin(response), partner, connection, errors }),
      );
    }
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'connection.update',
      target: `${partnerId}/${code}`,
      details: { client_secret_changed: fields.value?.oauth2_client_secret !== undefined },
    });
    request.session.notice = `Connection ${code} saved.`;
    response.redirect(303, `/admin/partners/${partnerId}/connections`);
  }

  @Get(':code/delete')
  async confirmDelete(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Res() response: Response,
  ): Promise<void> {
    const partner = await this.partners.get(partnerId);
    const connection = await this.connections.get(partnerId, code);
    const users = (await this.directory.activeCounts([connection.id])).get(connection.id) ?? 0;
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/partners',
        title: `Delete the ${code} connection of ${partner.name}?`,
        message: `This deletes the connection and its ${users} active user${users === 1 ? '' : 's'} (and any archived ones), with their mail logs and webhook events. It cannot be undone.`,
        action: `/admin/partners/${partnerId}/connections/${encodeURIComponent(code)}/delete`,
        button: `Delete connection and ${users} user${users === 1 ? '' : 's'}`,
        cancel: `/admin/partners/${partnerId}/connections`,
        danger: true,
      }),
    );
  }

  @Post(':code/delete')
  async remove(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.connections.remove(partnerId, code);
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'connection.delete',
      target: `${partnerId}/${code}`,
    });
    request.session.notice = `Connection ${code} deleted.`;
    response.redirect(303, `/admin/partners/${partnerId}/connections`);
  }

  /** Empty fields are "not given": an empty secret keeps the stored one (write-only). */
  private fields(body: unknown) {
    const values = formFields(body, [...FIELDS]);
    return validateForm(ConnectionFieldsDto, {
      oauth2_client_id: optional(values.oauth2_client_id),
      oauth2_client_secret: optional(values.oauth2_client_secret),
    });
  }

  private async render(
    request: Request,
    response: Response,
    partnerId: string,
    status: number,
    errors: string[],
  ): Promise<void> {
    const partner = await this.partners.get(partnerId);
    const connections = await this.connections.list(partnerId);
    const counts = await this.directory.activeCounts(connections.map((connection) => connection.id));
    sendPage(
      response,
      status,
      connectionsPage({
        admin: signedInAdmin(response),
        partner,
        connections,
        counts,
        providers: await this.providers.list(),
        errors,
        notice: takeNotice(request),
      }),
    );
  }
}
