import type { NextFunction, Request, Response } from 'express';

import { errorBody } from '@app/core';

/** Most object keys plus array items a request body may hold: far above any DTO, far below a stall. */
export const MAX_BODY_ENTRIES = 1000;
/** Deepest nesting a request body may have; DTOs are flat, and deep bodies overflow the transformer's stack. */
export const MAX_BODY_DEPTH = 8;

export type ShapeProblem = 'too many entries' | 'too deep' | 'NUL byte';

/** PostgreSQL text cannot hold U+0000; letting one through turns a bad request into a 500. */
const hasNul = (text: string) => text.includes('\u0000');

/**
 * Walks a parsed body without recursion (so hostile nesting cannot overflow the stack) and stops at the
 * first limit crossed, so the cost is bounded by the limits, never by the body.
 */
export function bodyShapeProblem(
  body: unknown,
  maxEntries = MAX_BODY_ENTRIES,
  maxDepth = MAX_BODY_DEPTH,
): ShapeProblem | undefined {
  const pending: { value: unknown; depth: number }[] = [{ value: body, depth: 0 }];
  let entries = 0;
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (typeof value === 'string' && hasNul(value)) return 'NUL byte';
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return 'too deep';
    const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    entries += children.length;
    if (entries > maxEntries) return 'too many entries';
    if (!Array.isArray(value) && Object.keys(value).some(hasNul)) return 'NUL byte';
    for (const child of children) pending.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

const PROBLEM_MESSAGES: Record<ShapeProblem, string> = {
  'too many entries': `Request body has more than ${MAX_BODY_ENTRIES} fields and items`,
  'too deep': `Request body is nested deeper than ${MAX_BODY_DEPTH} levels`,
  'NUL byte': 'Request body contains a NUL character',
};

/** Refuses oversized body shapes and NUL characters before class-transformer and class-validator see them. */
export function rejectHostileBodyShapes(request: Request, response: Response, next: NextFunction): void {
  const problem = bodyShapeProblem(request.body);
  if (problem) {
    response.status(400).json(errorBody('BadRequest', PROBLEM_MESSAGES[problem]));
  } else {
    next();
  }
}

/** A `%00` in the path or query would reach SQL as U+0000 once decoded. */
export function rejectNulInUrl(request: Request, response: Response, next: NextFunction): void {
  if (/%00/i.test(request.url) || hasNul(request.url)) {
    response.status(400).json(errorBody('BadRequest', 'Request URL contains a NUL character'));
  } else {
    next();
  }
}
