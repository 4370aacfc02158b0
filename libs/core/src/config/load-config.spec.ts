import { ConfigError, parseConfig } from './load-config.js';

const SECRETS = { ENCRYPTION_KEY: 'k1:0123456789abcdef0123', SECRET_KEY_BASE: 'x'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('applies the seed defaults when only secrets are given', () => {
    const config = parseConfig(SECRETS);
    expect(config).toMatchObject({
      PORT: 3000,
      MAX_USER_THREADS: 500,
      NUM_WORKER_THREADS: 5,
      MAX_EMAIL_SIZE: 1_048_576,
      TRACER_INTERVAL: 600,
      NUM_TRACERS: 3,
      HEARTBEAT_INTERVAL: 10,
      HEARTBEAT_TIMEOUT: 30,
      WEBHOOK_MAX_ATTEMPTS: 6,
      WEBHOOK_TIMEOUT: 30,
    });
    expect(config.allowPrivateWebhookTargets).toBe(true);
  });

  it('reads numbers and booleans from strings', () => {
    const config = parseConfig({ ...SECRETS, PORT: '8080', HEARTBEAT_INTERVAL: '0.5', WEBHOOK_ALLOW_PRIVATE: 'false' });
    expect(config.PORT).toBe(8080);
    expect(config.HEARTBEAT_INTERVAL).toBe(0.5);
    expect(config.allowPrivateWebhookTargets).toBe(false);
  });

  it('lists every invalid variable at once', () => {
    const problems = problemsOf({
      ...SECRETS,
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      MAX_USER_THREADS: '0',
    });
    const named = new Set(problems.map((problem) => problem.split('=')[0]));
    expect([...named].sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'MAX_USER_THREADS', 'PORT']);
    expect(problems.join('\n')).toContain('PORT="abc"');
  });

  it('requires the secrets', () => {
    const problems = problemsOf({});
    expect(problems.some((p) => p.startsWith('ENCRYPTION_KEY=(not set)'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SECRET_KEY_BASE=(not set)'))).toBe(true);
  });

  it('rejects short encryption keys and short server secrets', () => {
    const problems = problemsOf({ ENCRYPTION_KEY: 'short', SECRET_KEY_BASE: 'short' });
    expect(problems.join('\n')).toMatch(/ENCRYPTION_KEY: .*at least 16/);
    expect(problems.join('\n')).toMatch(/SECRET_KEY_BASE.*at least 32/);
  });

  it('applies production rules', () => {
    const problems = problemsOf({ ...SECRETS, NODE_ENV: 'production', PUBLIC_URL: 'http://example.com' });
    expect(problems).toContain('PUBLIC_URL must use https in production');
    const config = parseConfig({ ...SECRETS, NODE_ENV: 'production', PUBLIC_URL: 'https://example.com' });
    expect(config.allowPrivateWebhookTargets).toBe(false);
    expect(config.allowHttpWebhookTargets).toBe(false);
    const allowed = parseConfig({
      ...SECRETS,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://example.com',
      WEBHOOK_ALLOW_HTTP: 'true',
    });
    expect(allowed.allowHttpWebhookTargets).toBe(true);
    expect(parseConfig(SECRETS).allowHttpWebhookTargets).toBe(true);
  });

  describe('with NODE_ENV unset (fail closed)', () => {
    it('serves loopback only, binding 127.0.0.1 by default', () => {
      expect(parseConfig(SECRETS).LISTEN_ADDRESS).toBe('127.0.0.1');
      expect(parseConfig({ ...SECRETS, PUBLIC_URL: 'http://127.0.0.1:3000' }).NODE_ENV).toBe('development');
      expect(parseConfig({ ...SECRETS, LISTEN_ADDRESS: '::1' }).LISTEN_ADDRESS).toBe('::1');
    });

    it.each([
      ['PUBLIC_URL', { PUBLIC_URL: 'https://imap.example.com' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'http://10.0.0.5:3000' }],
      ['LISTEN_ADDRESS', { LISTEN_ADDRESS: '0.0.0.0' }],
      ['LISTEN_ADDRESS', { LISTEN_ADDRESS: '::' }],
    ])('refuses a non-loopback %s', (variable, env) => {
      expect(problemsOf({ ...SECRETS, ...env })).toEqual([
        `${variable} is not loopback, so NODE_ENV must be set (production, or development to accept the risk)`,
      ]);
    });

    it('accepts a public address once NODE_ENV=development is explicit, binding every interface', () => {
      const config = parseConfig({ ...SECRETS, NODE_ENV: 'development', PUBLIC_URL: 'https://imap.example.com' });
      expect(config.LISTEN_ADDRESS).toBeUndefined();
      expect(problemsOf({ ...SECRETS, NODE_ENV: 'development', LISTEN_ADDRESS: '0.0.0.0' })).toEqual([]);
    });
  });

  describe('never echoes a secret', () => {
    it.each([
      ['ENCRYPTION_KEY', 'k1:tooShortSecretX', /ENCRYPTION_KEY.*at least 16/],
      ['ENCRYPTION_KEY', 'a-long-enough-secret-value,a-long-enough-secret-value', /duplicate key ids/],
      ['SECRET_KEY_BASE', 'short-secret-value', /SECRET_KEY_BASE=\(hidden, 18 characters\): .*at least 32/],
    ])('%s', (variable, value, rule) => {
      const text = problemsOf({ ...SECRETS, [variable]: value }).join('\n');
      expect(text).toMatch(rule);
      expect(text).not.toMatch(/tooShortSecret|long-enough-secret|short-secret/);
    });

    it.each([
      ['DATABASE_URL', 'mysql://admin:hunter2-db-password@db.internal/superimap', 'mysql://admin:***@db.internal'],
      ['DATABASE_URL', 'postgres//admin:hunter2-db-password@db', '(hidden: not a URL)'],
      ['REDIS_URL', 'http://:hunter2-db-password@redis.internal:6379', 'http://:***@redis.internal:6379'],
    ])('masks the password in %s', (variable, value, shown) => {
      const text = problemsOf({ ...SECRETS, [variable]: value }).join('\n');
      expect(text).toContain(`${variable}=`);
      expect(text).toContain(shown);
      expect(text).not.toContain('hunter2');
    });
  });

  it('refuses ENCRYPTION_KEY entries without an id in production only', () => {
    const production = { ...SECRETS, NODE_ENV: 'production', PUBLIC_URL: 'https://example.com' };
    const bare = 'a-bare-secret-without-any-id';
    const problems = problemsOf({ ...production, ENCRYPTION_KEY: `k2:a-new-secret-with-an-id,${bare}` });
    expect(problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: in production every entry needs an id/)]);
    expect(problems.join('\n')).not.toContain('a-bare-secret');
    expect(problemsOf(production)).toEqual([]);
    expect(problemsOf({ ...SECRETS, ENCRYPTION_KEY: bare })).toEqual([]);
  });

  it('rejects a heartbeat timeout shorter than the interval', () => {
    expect(problemsOf({ ...SECRETS, HEARTBEAT_INTERVAL: '10', HEARTBEAT_TIMEOUT: '5' })).toContain(
      'HEARTBEAT_TIMEOUT must be longer than HEARTBEAT_INTERVAL',
    );
  });
});
