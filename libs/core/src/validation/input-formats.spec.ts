import { isUuid, isValidTimestamp } from './input-formats.js';

describe('isValidTimestamp', () => {
  it.each([
    '2026-01-31',
    '2024-02-29',
    '2000-02-29T12:00:00Z',
    '2026-12-01 17:11:29.123456+00',
    '2026-06-30T23:59:59.999+02:00',
    '2026-06-30T23:59-0530',
    '0001-01-01',
  ])('accepts %p', (value) => expect(isValidTimestamp(value)).toBe(true));

  it.each([
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '0000-01-01',
    '2026-00-10',
    '2026-13-01',
    '2026-04-31',
    '2026-01-01T24:00:00Z',
    '2026-01-01T12:60:00Z',
    '2026-01-01T12:00:60Z',
    '2026-01-01T12:00:00+15:00',
    '+275760-09-13',
    '2026-01-01\u0000',
    'yesterday',
    '',
    1767225600,
  ])('refuses %p', (value) => expect(isValidTimestamp(value)).toBe(false));
});

describe('isUuid', () => {
  it('accepts a UUID and refuses 36 characters of something else', () => {
    expect(isUuid('0b9f7c4e-5a3d-4f2e-9c1b-2d8e6f4a7b10')).toBe(true);
    expect(isUuid('-'.repeat(36))).toBe(false);
    expect(isUuid('0b9f7c4e5a3d4f2e9c1b2d8e6f4a7b10----')).toBe(false);
  });
});
