import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import cookieParser from 'cookie-parser';

import { ConnectionsModule } from '@app/connections';
import { ImapModule } from '@app/imap';
import { PartnersModule } from '@app/partners';
import { ProvidersModule } from '@app/providers';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

import { ConnectFlow } from './connect-flow.service.js';
import { ConnectLinks } from './connect-links.service.js';
import { ConnectController } from './connect.controller.js';
import { DisconnectController } from './disconnect.controller.js';
import { PageCsrf } from './page-csrf.js';

/** The connect and disconnect pages end users see (the api role only). */
@Module({
  imports: [ConnectionsModule, ImapModule, PartnersModule, ProvidersModule, UsersModule, WebhooksModule],
  controllers: [ConnectController, DisconnectController],
  providers: [ConnectFlow, ConnectLinks, PageCsrf],
  exports: [ConnectLinks],
})
export class ConnectModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(cookieParser()).forRoutes(ConnectController, DisconnectController);
  }
}
