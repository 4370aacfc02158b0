import { parseConfig } from '../config/load-config.js';
import { SecretBox } from './secret-box.js';

const boxWith = (keys: string) => new SecretBox(parseConfig({ ENCRYPTION_KEY: keys, SECRET_KEY_BASE: 'x'.repeat(32) }));
const row = { table: 'users', column: 'login_password', id: '5f2b9f6e-0000-4000-8000-000000000001' };

describe('SecretBox', () => {
  const box = boxWith('new:new-secret-0123456789abcdef,old:old-secret-0123456789abcdef');

  it('round-trips text and bytes, with a fresh IV every time', () => {
    const a = box.encrypt('hunter2 ✓', row);
    const b = box.encrypt('hunter2 ✓', row);
    expect(a).not.toEqual(b);
    expect(a).not.toContain('hunter2');
    expect(a.startsWith('v1:new:')).toBe(true);
    expect(box.decrypt(a, row)).toBe('hunter2 ✓');
    const bytes = Buffer.from([0, 255, 128, 10]);
    expect(box.decryptToBuffer(box.encrypt(bytes, row), row)).toEqual(bytes);
  });

  it('detects tampering', () => {
    const parts = box.encrypt('secret', row).split(':');
    const ciphertext = Buffer.from(parts[3], 'base64url');
    ciphertext[0] ^= 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => box.decrypt(parts.join(':'), row)).toThrow(/authentication failed/);
  });

  it('binds a value to its row, table and column', () => {
    const stored = box.encrypt('secret', row);
    expect(() => box.decrypt(stored, { ...row, id: '5f2b9f6e-0000-4000-8000-000000000002' })).toThrow();
    expect(() => box.decrypt(stored, { ...row, column: 'oauth2_refresh_token' })).toThrow();
    expect(() => box.decrypt(stored, { ...row, table: 'partners' })).toThrow();
  });

  it('decrypts with older keys and encrypts with the newest', () => {
    const oldBox = boxWith('old:old-secret-0123456789abcdef');
    const stored = oldBox.encrypt('secret', row);
    expect(box.needsRotation(stored)).toBe(true);
    expect(box.decrypt(stored, row)).toBe('secret');
    expect(box.needsRotation(box.encrypt('secret', row))).toBe(false);
  });

  it('refuses values written with a key it no longer has', () => {
    const stored = boxWith('gone:gone-secret-0123456789abcdef').encrypt('secret', row);
    expect(() => box.decrypt(stored, row)).toThrow(/key "gone" is not in ENCRYPTION_KEY/);
  });
});
