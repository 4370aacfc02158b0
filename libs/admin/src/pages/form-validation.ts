import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Validates form input with a lib's DTO; returns the instance or the messages to show on the form. */
export function validateForm<T extends object>(
  dto: new () => T,
  plain: Record<string, unknown>,
): { value: T; errors: [] } | { value: null; errors: string[] } {
  const value = plainToInstance(dto, plain);
  const problems = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (problems.length === 0) return { value, errors: [] };
  return { value: null, errors: problems.flatMap((problem) => Object.values(problem.constraints ?? {})) };
}

/** Form text as an optional value: empty means "not set". */
export function optional(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}
