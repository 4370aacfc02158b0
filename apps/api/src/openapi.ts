import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI document at /api/docs-json and its UI at /api/docs. */
export function setUpOpenApi(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('SuperIMAP partner API')
    .setDescription(
      'Create connections and users; SuperIMAP watches their mailboxes and posts signed webhooks. ' +
        'Authenticate with the partner API key in the x-api-key header (or the api_key parameter). ' +
        'Errors are JSON: {"error": {"code", "message", "details"?}}.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api_key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
