import { randomBytes } from 'node:crypto';

/** A tracer's subject is `TRACER: <token>` (the seed's form); its header repeats the token for filters. */
export const TRACER_HEADER = 'X-SuperIMAP-Tracer';
const TOKEN_IN_SUBJECT = /\bTRACER: ([0-9a-f]{32})\b/;

/** 128 random bits: nobody can guess one to hide a mail from the partner. */
export function newTracerToken(): string {
  return randomBytes(16).toString('hex');
}

export function tracerSubject(token: string): string {
  return `TRACER: ${token}`;
}

/** The token a subject carries, or null; only a token of an outstanding tracer log makes a mail a tracer. */
export function tracerTokenIn(subject: string | null | undefined): string | null {
  return TOKEN_IN_SUBJECT.exec(subject ?? '')?.[1] ?? null;
}
