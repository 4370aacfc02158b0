import { ValidateBy, type ValidationOptions } from 'class-validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID; anything else would make PostgreSQL's uuid cast fail (a 500, not a 404). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// YYYY-MM-DD, optionally a time (T or space) with seconds and fraction, optionally Z or an offset.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?$/i;

/**
 * True for a date or date-time that names a real instant PostgreSQL accepts: no 2026-02-30, no year 0,
 * no hour 24. Date.parse is too lenient (it rolls 2026-02-30 over to March and accepts year 0).
 */
export function isValidTimestamp(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year! < 1 || month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return false;
  return hour < 24 && minute < 60 && second < 60 && offsetHours <= 14 && offsetMinutes < 60;
}

function daysIn(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // Date.UTC would read years 0–99 as 1900–1999
  return date.getUTCDate();
}

/** class-validator decorator for {@link isValidTimestamp}. */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (value: unknown) => isValidTimestamp(value),
        defaultMessage: () => '$property must be a real ISO 8601 date or date-time (e.g. 2026-01-31T12:00:00Z)',
      },
    },
    options,
  );
}
