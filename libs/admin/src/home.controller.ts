import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { escapeHtml } from '@app/core';

import { ADMIN_CSS, ADMIN_SECTIONS, adminPage } from './pages/admin-layout.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

/** The admin start page and the stylesheet. */
@ApiExcludeController()
@Controller('admin')
export class HomeController {
  @Get('assets/admin.css')
  stylesheet(@Res() response: Response): void {
    response.type('text/css').set('cache-control', 'public, max-age=3600').send(ADMIN_CSS);
  }

  @Get()
  home(@Req() request: Request, @Res() response: Response): void {
    const admin = signedInAdmin(response);
    const sections = ADMIN_SECTIONS.filter((section) => section.path !== '/admin')
      .map(
        (section) =>
          `<a href="${escapeHtml(section.path)}"><div class="panel"><h2>${escapeHtml(section.label)}</h2></div></a>`,
      )
      .join('');
    sendPage(
      response,
      200,
      adminPage({
        title: 'Dashboard',
        admin,
        section: '/admin',
        notice: takeNotice(request),
        body: `<h1>Dashboard</h1>
<p class="muted">Signed in as ${escapeHtml(admin.email)}.</p>
<div class="cards">${sections}</div>`,
      }),
    );
  }
}
