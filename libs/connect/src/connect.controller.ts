import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import passport from 'passport';
import type { Logger } from 'pino';

import { OAuth2Tokens, ConnectionsService } from '@app/connections';
import { AppConfig, DomainError, PAGE_HEADERS, RedisService, ROOT_LOGGER, SITE_CSS } from '@app/core';

import { ConnectFlow } from './connect-flow.service.js';
import { ConnectLinks, type LinkContext, MAX_TRIES_PER_LINK } from './connect-links.service.js';
import { ConnectErrors } from './connect.errors.js';
import { type ConnectState, ConnectStateStore, STATE_COOKIE } from './oauth2/connect-state-store.js';
import { type OAuth2Grant, connectStrategy } from './oauth2/connect-strategy.js';
import { PageCsrf } from './page-csrf.js';
import { donePage, passwordFormPage } from './pages/connect-pages.js';
import { formFields, linkAction, sendPage, sendRedirect } from './pages/page-responses.js';

/**
 * The connect page end users are sent to with a partner's `connect_url`: the OAuth2 authorization-code
 * flow (state + PKCE) for OAuth2 providers, a hosted login form for password providers.
 */
@ApiExcludeController()
@Controller('users')
export class ConnectController {
  private readonly authenticator = new passport.Passport();
  private readonly stateStore: ConnectStateStore;
  private readonly logger: Logger;

  constructor(
    private readonly links: ConnectLinks,
    private readonly flow: ConnectFlow,
    private readonly connections: ConnectionsService,
    private readonly tokens: OAuth2Tokens,
    private readonly csrf: PageCsrf,
    private readonly config: AppConfig,
    redis: RedisService,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.stateStore = new ConnectStateStore(redis, new URL(config.PUBLIC_URL).protocol === 'https:');
    this.logger = logger.child({ component: 'connect' });
  }

  @Get('assets/site.css')
  stylesheet(@Res() response: Response): void {
    response.type('text/css').set('cache-control', 'public, max-age=3600').send(SITE_CSS);
  }

  /** Where the provider sends the browser back (declared before `:token`, which it would otherwise match). */
  @Get('connect/callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const state = await this.stateStore.peek(request.query.state);
    if (!state) throw ConnectErrors.invalidState();
    if (typeof request.query.error === 'string') {
      await this.stateStore.take(request.query.state);
      this.logger.info({ user: state.userId, error: request.query.error }, 'OAuth2 consent not given');
      return this.fail(response, state.failureUrl, 'The mailbox was not connected', 'Access was not granted.');
    }
    let context: LinkContext;
    try {
      context = await this.links.open('connect', state.linkToken, {});
      context = { ...context, successUrl: state.successUrl, failureUrl: state.failureUrl };
    } catch (error) {
      await this.stateStore.take(request.query.state);
      throw error;
    }
    const outcome = await this.authenticate(request, response, context, {});
    if (!outcome.grant) {
      const reason = outcome.reason ?? 'The sign-in could not be verified.';
      this.logger.warn({ user: context.user.tag, reason }, 'OAuth2 connect failed');
      return this.fail(response, context.failureUrl, 'The mailbox was not connected', reason);
    }
    try {
      await this.flow.connectOAuth2(context, outcome.grant);
    } catch (error) {
      if (!(error instanceof DomainError) || !context.failureUrl) throw error;
      return sendRedirect(response, context.failureUrl);
    }
    response.clearCookie(STATE_COOKIE, { path: '/users/connect' });
    this.succeed(response, context.successUrl, 'Mailbox connected', 'Your mailbox is connected.');
  }

  @Get('connect/:token')
  async start(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.links.open('connect', token, query);
    if (context.provider.auth === 'oauth2') {
      const state: ConnectState = {
        userId: context.user.userId,
        linkToken: context.token,
        successUrl: context.successUrl,
        failureUrl: context.failureUrl,
      };
      const outcome = await this.authenticate(request, response, context, { state });
      if (!outcome.redirected) {
        this.fail(response, context.failureUrl, 'The mailbox was not connected', outcome.reason ?? 'Sign-in failed.');
      }
      return;
    }
    sendPage(response, 200, this.form(request, response, context, {}));
  }

  @Post('connect/:token')
  async submit(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.links.open('connect', token, query);
    this.csrf.assertValid(request);
    if (context.provider.auth !== 'password')
      throw ConnectErrors.badForm('This mailbox connects through its provider.');
    const fields = formFields(request.body, ['email', 'username', 'password']);
    const email = fields.email.trim();
    const username = fields.username.trim() || email;
    if (!email || !fields.password || email.length > 320 || username.length > 320 || fields.password.length > 1000) {
      return sendPage(
        response,
        400,
        this.form(request, response, context, { email, username, error: 'Enter your email address and password.' }),
      );
    }
    const outcome = await this.flow.connectPassword(context, { email, username, password: fields.password });
    if (outcome.ok)
      return this.succeed(response, context.successUrl, 'Mailbox connected', 'Your mailbox is connected.');
    if ((await this.links.countFailedTry(context.linkId)) >= MAX_TRIES_PER_LINK) {
      return this.fail(response, context.failureUrl, 'Too many attempts', 'Too many failed attempts with this link.');
    }
    sendPage(response, 400, this.form(request, response, context, { email, username, error: outcome.message }));
  }

  private form(
    request: Request,
    response: Response,
    context: LinkContext,
    values: { email?: string; username?: string; error?: string },
  ): string {
    return passwordFormPage({
      partnerName: context.partner.name,
      providerTitle: context.provider.title,
      action: linkAction(context),
      csrfToken: this.csrf.token(request, response),
      email: values.email ?? context.user.email ?? '',
      username: values.username ?? '',
      error: values.error,
    });
  }

  /** Runs passport with a strategy built for this connection; resolves once it redirected, failed or succeeded. */
  private async authenticate(
    request: Request,
    response: Response,
    context: LinkContext,
    options: { state?: ConnectState },
  ): Promise<{ redirected?: boolean; grant?: OAuth2Grant; reason?: string }> {
    const client = await this.connections.oauth2Client(context.user.connectionId);
    if (!client.clientId || !context.provider.oauth2AuthorizeUrl || !context.provider.oauth2TokenUrl) {
      throw ConnectErrors.notConfigured(`the ${context.provider.code} connection has no OAuth2 client`);
    }
    const strategy = connectStrategy({
      provider: context.provider,
      client,
      callbackUrl: new URL('/users/connect/callback', this.config.PUBLIC_URL).toString(),
      store: this.stateStore,
      tokens: this.tokens,
    });
    return new Promise((resolve, reject) => {
      // passport ends the response itself when it redirects to the provider (the authorize step).
      response.set(PAGE_HEADERS).once('finish', () => resolve({ redirected: true }));
      const middleware = this.authenticator.authenticate(
        strategy,
        { session: false, ...options } as passport.AuthenticateOptions,
        (error: Error | null, grant: OAuth2Grant | false, info?: { message?: string }) => {
          if (error) {
            this.logger.warn({ err: error, user: context.user.tag }, 'OAuth2 exchange failed');
            resolve({ reason: 'The provider could not confirm the sign-in.' });
          } else if (!grant) resolve({ reason: info?.message ?? 'The sign-in could not be verified.' });
          else resolve({ grant });
        },
      ) as (req: Request, res: Response, next: (error?: unknown) => void) => void;
      middleware(request, response, (error?: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('authentication failed')) : resolve({}),
      );
    });
  }

  private succeed(response: Response, url: string | null, heading: string, message: string): void {
    if (url) return sendRedirect(response, url);
    sendPage(response, 200, donePage(heading, message));
  }

  private fail(response: Response, url: string | null, heading: string, message: string): void {
    if (url) return sendRedirect(response, url);
    sendPage(response, 400, donePage(heading, message));
  }
}
