import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { withLocalSecrets } from './local-secrets.js';

describe('withLocalSecrets', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'superimap-secrets-')), 'nested', 'secrets.env');

  it('creates random secrets once and reuses them', () => {
    const path = file();
    const first = withLocalSecrets({}, path);
    const second = withLocalSecrets({}, path);
    expect(first.ENCRYPTION_KEY).toHaveLength(43);
    expect(second).toEqual(first);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain(`ENCRYPTION_KEY=${first.ENCRYPTION_KEY}`);
  });

  it('never generates secrets in production', () => {
    expect(withLocalSecrets({ NODE_ENV: 'production' }, file()).ENCRYPTION_KEY).toBeUndefined();
  });

  it('keeps secrets given in the environment', () => {
    expect(withLocalSecrets({ ENCRYPTION_KEY: 'given', SECRET_KEY_BASE: 'given' }, file())).toEqual({
      ENCRYPTION_KEY: 'given',
      SECRET_KEY_BASE: 'given',
    });
  });
});
