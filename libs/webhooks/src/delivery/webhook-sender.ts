import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

import { assertAllowedScheme, BlockedAddressError, isBlockedAddress, publicOnlyLookup } from '@app/core';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** When false, private and loopback targets are refused (production). */
  allowPrivate: boolean;
  /** When false, plain-http targets are refused (production, unless WEBHOOK_ALLOW_HTTP). */
  allowHttp: boolean;
}

export interface WebhookResponse {
  status: number | null;
  /** Seconds the receiver asked us to wait (a Retry-After header on 429/503), if any. */
  retryAfterSeconds: number | null;
  /** First 1 KiB of the response body. */
  body: string | null;
  error: string | null;
  durationMs: number;
}

const RESPONSE_KEEP_BYTES = 1024;

/**
 * POSTs one webhook. Never follows redirects, gives up after the timeout, and (unless allowed) refuses
 * targets on private networks, checked on the address actually connected to.
 */
export async function sendWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const url = new URL(request.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!request.allowPrivate && isIP(host) && isBlockedAddress(host)) throw new BlockedAddressError(host, host);
    assertAllowedScheme(request.url, request.allowHttp);
    const { status, body, retryAfterSeconds } = await post(url, request);
    return { status, body, retryAfterSeconds, error: null, durationMs: elapsed() };
  } catch (error) {
    return {
      status: null,
      body: null,
      retryAfterSeconds: null,
      error: (error as Error).message,
      durationMs: elapsed(),
    };
  }
}

interface RawResponse {
  status: number;
  body: string;
  retryAfterSeconds: number | null;
}

function post(url: URL, request: WebhookRequest): Promise<RawResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
        lookup: request.allowPrivate ? undefined : publicOnlyLookup,
        timeout: request.timeoutMs,
      },
      (response) => readHead(response).then(resolve, reject),
    );
    // The socket timeout covers silence; this deadline covers a receiver that trickles bytes.
    const deadline = setTimeout(
      () => outgoing.destroy(new Error(`no complete answer within ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.on('close', () => clearTimeout(deadline));
    outgoing.end(request.body);
  });
}

/** Keeps the first KiB of the answer and discards the rest without buffering it. */
function readHead(response: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    response.on('data', (chunk: Buffer) => {
      if (kept < RESPONSE_KEEP_BYTES) {
        chunks.push(chunk.subarray(0, RESPONSE_KEEP_BYTES - kept));
        kept += Math.min(chunk.length, RESPONSE_KEEP_BYTES - kept);
      }
    });
    response.on('end', () =>
      resolve({
        status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
      }),
    );
    response.on('error', reject);
  });
}

/** Retry-After as seconds: either a number or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
