import { Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { ConnectionsService } from '@app/connections';
import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { PartnersService } from '@app/partners';
import { UserDirectory } from '@app/users';
import { EventsService, WebhookTester } from '@app/webhooks';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { formFields } from './pages/forms.js';
import {
  API_KEY_GRACE_CHOICES,
  deletePartnerMessage,
  rotateApiKeyPage,
  TEST_WEBHOOK_TARGETS,
  testWebhookPage,
} from './pages/partner-action-pages.js';
import { partnerPage } from './pages/partner-pages.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin } from './session/session-ops.js';

/** A partner's riskier actions, each confirmed first: rotate the API key, send a test webhook, delete. */
@ApiExcludeController()
@Controller('admin/partners/:id')
export class PartnerActionsController {
  constructor(
    private readonly partners: PartnersService,
    private readonly connections: ConnectionsService,
    private readonly directory: UserDirectory,
    private readonly events: EventsService,
    private readonly tester: WebhookTester,
    private readonly audit: AuditLog,
  ) {}

  @Get('rotate-api-key')
  async confirmKeyRotation(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const partner = await this.partners.get(id);
    sendPage(response, 200, rotateApiKeyPage({ admin: signedInAdmin(response), partner, errors: [] }));
  }

  @Post('rotate-api-key')
  async rotateKey(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const { grace } = formFields(request.body, ['grace']);
    const choice = API_KEY_GRACE_CHOICES.find(([seconds]) => String(seconds) === grace);
    if (!choice) {
      const partner = await this.partners.get(id);
      const errors = ['Choose how long the current key keeps working.'];
      return sendPage(response, 400, rotateApiKeyPage({ admin, partner, errors }));
    }
    const apiKey = await this.partners.rotateApiKey(id, choice[0]);
    await this.audit.record({
      ...actor(request, admin),
      action: 'partner.rotate_api_key',
      target: id,
      details: { grace_seconds: choice[0] },
    });
    sendPage(
      response,
      200,
      partnerPage({
        admin,
        partner: await this.partners.get(id),
        notice: 'API key rotated.',
        secrets: [{ label: 'New API key', value: apiKey }],
      }),
    );
  }

  @Get('test-webhook')
  async testForm(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const partner = await this.partners.get(id);
    sendPage(response, 200, testWebhookPage({ admin: signedInAdmin(response), partner }));
  }

  @Post('test-webhook')
  async sendTest(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const partner = await this.partners.get(id);
    const { type } = formFields(request.body, ['type']);
    const target = TEST_WEBHOOK_TARGETS.find(([candidate]) => candidate === type);
    if (!target) {
      return sendPage(
        response,
        400,
        testWebhookPage({ admin, partner, errors: ['Choose one of the partner’s webhook URLs.'] }),
      );
    }
    try {
      const result = await this.tester.send(id, target[0]);
      await this.audit.record({
        ...actor(request, admin),
        action: 'partner.test_webhook',
        target: id,
        outcome: result.ok ? 'success' : 'failed',
        details: { type: result.type, status: result.status, duration_ms: result.durationMs },
      });
      sendPage(response, 200, testWebhookPage({ admin, partner, chosen: target[0], result }));
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      sendPage(response, 400, testWebhookPage({ admin, partner, chosen: target[0], errors: [error.message] }));
    }
  }

  @Get('delete')
  async confirmDelete(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const partner = await this.partners.get(id);
    const connections = await this.connections.list(id);
    const counts = await this.directory.activeCounts(connections.map((connection) => connection.id));
    const footprint = {
      connections: connections.length,
      activeUsers: [...counts.values()].reduce((sum, count) => sum + count, 0),
      events: await this.events.countForPartner(id),
    };
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/partners',
        title: `Delete ${partner.name}?`,
        message: deletePartnerMessage(partner, footprint),
        action: `/admin/partners/${id}/delete`,
        button: 'Delete partner',
        cancel: `/admin/partners/${id}`,
        danger: true,
      }),
    );
  }

  @Post('delete')
  async remove(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const partner = await this.partners.get(id);
    await this.partners.delete(id);
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'partner.delete',
      target: id,
      details: { name: partner.name },
    });
    request.session.notice = `Partner ${partner.name} deleted.`;
    response.redirect(303, '/admin/partners');
  }
}
