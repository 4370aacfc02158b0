import type { Response } from 'express';

import { PAGE_HEADERS } from '@app/core';

export function sendPage(response: Response, status: number, html: string): void {
  response.status(status).set(PAGE_HEADERS).type('html').send(html);
}
