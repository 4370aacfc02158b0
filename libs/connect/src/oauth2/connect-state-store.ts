import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { Request, Response } from 'express';

import type { RedisService } from '@app/core';

/** What the callback must know about the connect that sent the user to the provider. */
export interface ConnectState {
  userId: string;
  /** The signed link the flow started from: re-checked, then marked used, at the callback. */
  linkToken: string;
  successUrl: string | null;
  failureUrl: string | null;
}

interface StoredState extends ConnectState {
  verifier: string;
  /** Also in a cookie of the browser that started the flow: a state replayed from elsewhere does not match. */
  binding: string;
}

export const STATE_COOKIE = 'superimap_oauth';
/** The user has this long to finish at the provider. */
const STATE_TTL_SECONDS = 600;

type Stored = (error: Error | null, handle?: string) => void;
type Verified = (error: Error | null, verifier?: string | false, state?: ConnectState | { message: string }) => void;

/**
 * passport-oauth2's state store (the PKCE form): a one-time `state` handle in Redis holding the PKCE
 * verifier and the connect context, bound to a short-lived cookie. Used once: verifying deletes it.
 */
export class ConnectStateStore {
  constructor(
    private readonly redis: RedisService,
    private readonly secureCookie: boolean,
  ) {}

  /** passport calls this (arity 5: PKCE) before redirecting to the provider. */
  store(request: Request, verifier: string, state: ConnectState, _meta: unknown, done: Stored): void {
    const handle = randomBytes(24).toString('base64url');
    const binding = randomBytes(24).toString('base64url');
    const stored: StoredState = { ...state, verifier, binding };
    this.redis.client
      .set(this.key(handle), JSON.stringify(stored), 'EX', STATE_TTL_SECONDS)
      .then(() => {
        (request.res as Response).cookie(STATE_COOKIE, binding, {
          httpOnly: true,
          sameSite: 'lax',
          secure: this.secureCookie,
          path: '/users/connect',
          maxAge: STATE_TTL_SECONDS * 1000,
        });
        done(null, handle);
      })
      .catch((error: Error) => done(error));
  }

  /** passport calls this (arity 3) on the callback: the state must exist, be unused, and match the cookie. */
  verify(request: Request, handle: unknown, done: Verified): void {
    this.take(handle)
      .then((stored) => {
        const cookie = (request.cookies as Record<string, unknown> | undefined)?.[STATE_COOKIE];
        if (!stored || typeof cookie !== 'string' || !sameText(cookie, stored.binding)) {
          done(null, false, { message: 'invalid state' });
          return;
        }
        const { userId, linkToken, successUrl, failureUrl } = stored;
        done(null, stored.verifier, { userId, linkToken, successUrl, failureUrl });
      })
      .catch((error: Error) => done(error));
  }

  /** The context of a state without using it up (to know which connection's client handles the callback). */
  async peek(handle: unknown): Promise<ConnectState | null> {
    if (!isHandle(handle)) return null;
    const raw = await this.redis.client.get(this.key(handle));
    return raw ? (JSON.parse(raw) as StoredState) : null;
  }

  /** Uses a state up, e.g. when the provider answers with an error. */
  async take(handle: unknown): Promise<StoredState | null> {
    if (!isHandle(handle)) return null;
    const raw = await this.redis.client.getdel(this.key(handle));
    return raw ? (JSON.parse(raw) as StoredState) : null;
  }

  private key(handle: string): string {
    return this.redis.key('connect', 'state', handle);
  }
}

function isHandle(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{32}$/.test(value);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
