import type { Response } from 'express';

import { PAGE_HEADERS } from '@app/core';

import type { LinkContext } from '../connect-links.service.js';

export function sendPage(response: Response, status: number, html: string): void {
  response.status(status).set(PAGE_HEADERS).type('html').send(html);
}

/** Redirects to a URL already checked against the partner's registered ones. */
export function sendRedirect(response: Response, url: string): void {
  response.set(PAGE_HEADERS).redirect(303, url);
}

/** The link's own URL with its validated callbacks, for a form to post back to. */
export function linkAction(context: LinkContext): string {
  const query = new URLSearchParams();
  if (context.successUrl) query.set('success', context.successUrl);
  if (context.failureUrl) query.set('failure', context.failureUrl);
  const search = query.toString();
  return `/users/${context.action}/${context.token}${search ? `?${search}` : ''}`;
}

/** String fields of a form body; anything else (arrays, objects from `a[b]=c`) reads as empty. */
export function formFields<K extends string>(body: unknown, names: K[]): Record<K, string> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(
    names.map((name) => [name, typeof source[name] === 'string' ? source[name] : '']),
  ) as Record<K, string>;
}
