import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { ConnectFlow } from './connect-flow.service.js';
import { ConnectLinks } from './connect-links.service.js';
import { PageCsrf } from './page-csrf.js';
import { disconnectPage, donePage } from './pages/connect-pages.js';
import { linkAction, sendPage, sendRedirect } from './pages/page-responses.js';

/** The page a partner's `disconnect_url` opens: confirm (GET changes nothing), then forget the mailbox. */
@ApiExcludeController()
@Controller('users/disconnect')
export class DisconnectController {
  constructor(
    private readonly links: ConnectLinks,
    private readonly flow: ConnectFlow,
    private readonly csrf: PageCsrf,
  ) {}

  @Get(':token')
  async confirm(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.links.open('disconnect', token, query);
    sendPage(
      response,
      200,
      disconnectPage({
        partnerName: context.partner.name,
        providerTitle: context.provider.title,
        email: context.user.email,
        action: linkAction(context),
        csrfToken: this.csrf.token(request, response),
      }),
    );
  }

  @Post(':token')
  async disconnect(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.links.open('disconnect', token, query);
    this.csrf.assertValid(request);
    await this.flow.disconnect(context);
    if (context.successUrl) return sendRedirect(response, context.successUrl);
    sendPage(response, 200, donePage('Mailbox disconnected', 'Your mailbox is no longer connected.'));
  }
}
