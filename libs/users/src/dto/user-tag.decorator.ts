import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Length, ValidateBy } from 'class-validator';

/**
 * Characters a tag may not hold: controls, format characters (zero-width, bidi overrides and isolates,
 * soft hyphen), line and paragraph separators, lone surrogates. Each makes two tags look alike in a UI
 * or log while differing in bytes, or hides what a tag says.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** Names that turn into prototype pollution when a receiver uses tags as object keys. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function tagProblem(tag: string): string | undefined {
  if (INVISIBLE_OR_CONTROL.test(tag)) return 'tag must not contain control, zero-width or bidi characters';
  const lower = tag.toLowerCase();
  if (PROTOTYPE_KEYS.has(lower) || /^__.*__$/.test(lower)) return `tag must not be a reserved name like __proto__`;
  return undefined;
}

/** A user tag: trimmed, 1–255 characters, visible characters only, never a prototype key. */
export function IsUserTag(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    Length(1, 255),
    ValidateBy({
      name: 'isUserTag',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && tagProblem(value) === undefined,
        defaultMessage: (args) => (typeof args?.value === 'string' && tagProblem(args.value)) || 'invalid tag',
      },
    }),
  );
}
