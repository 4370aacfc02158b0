import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';

import { CoreModule, createRootLogger, dataSourceOptions, DomainError, ensureDatabase, parseConfig } from '@app/core';
import {
  AdminSignIn,
  AdminUsersService,
  AuditLog,
  Clock,
  DEFAULT_ADMIN,
  OperatorsModule,
  SIGN_IN_RULES,
  signInDelayMs,
} from '@app/operators';

import { ScratchDatabase } from '../support/scratch-database.js';
import { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY_BASE } from '../support/test-env.js';

/** A clock the test moves; each reading ticks a millisecond on, so records keep their order. */
class FakeClock extends Clock {
  current = new Date('2026-01-01T10:00:00Z');

  override now(): Date {
    this.advance(1);
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The sign-in rules against a real PostgreSQL, with a clock the test moves. */
describe('admin sign-in rules', () => {
  const db = new ScratchDatabase();
  const clock = new FakeClock();
  let module: TestingModule;
  let signIn: AdminSignIn;
  let admins: AdminUsersService;
  let audit: AuditLog;
  let address = 0;
  /** Each test signs in from its own address, so one test's failures never throttle another. */
  const nextAddress = () => `192.0.2.${++address}`;

  beforeAll(async () => {
    await ensureDatabase(db.url);
    const migrator = new DataSource(dataSourceOptions(db.url));
    await migrator.initialize();
    await migrator.runMigrations();
    await migrator.destroy();
    const config = parseConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SECRET_KEY_BASE: TEST_SECRET_KEY_BASE,
    });
    module = await Test.createTestingModule({
      imports: [CoreModule.forCommand(config, createRootLogger({ role: 'test', level: 'silent' })), OperatorsModule],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    await module.init();
    signIn = module.get(AdminSignIn);
    admins = module.get(AdminUsersService);
    audit = module.get(AuditLog);
  }, 60_000);

  afterAll(async () => {
    await module?.close();
    await db.drop();
  });

  async function refusal(attempt: Promise<unknown>): Promise<DomainError> {
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  async function auditRows(ip: string) {
    return (await audit.page({}, { limit: 100 })).rows.map((row) => row.entity).filter((entry) => entry.ip === ip);
  }

  it('locks an account after 3 wrong passwords for an hour, then lets the right password in', async () => {
    await admins.create('lock@example.com', 'correct horse battery');
    const ip = nextAddress();
    for (let i = 0; i < 2; i++) await refusal(signIn.signIn('lock@example.com', `wrong-${i}`, ip));
    // Two failures are forgiven by a success.
    await expect(signIn.signIn('lock@example.com', 'correct horse battery', ip)).resolves.toMatchObject({
      email: 'lock@example.com',
    });
    for (let i = 0; i < 3; i++) await refusal(signIn.signIn('lock@example.com', `wrong-${i}`, ip));
    const locked = await refusal(signIn.signIn('lock@example.com', 'correct horse battery', ip));
    expect(locked.code).toBe('SignInRefused');

    clock.advance(SIGN_IN_RULES.lockMs - 1000);
    expect((await refusal(signIn.signIn('lock@example.com', 'correct horse battery', ip))).code).toBe('SignInRefused');
    clock.advance(2000);
    await expect(signIn.signIn('lock@example.com', 'correct horse battery', ip)).resolves.toBeDefined();

    const outcomes = (await auditRows(ip)).map((entry) => entry.outcome).reverse();
    expect(outcomes).toEqual([
      'wrong_password',
      'wrong_password',
      'success',
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'locked',
      'locked',
      'success',
    ]);
  });

  it('answers an unknown account exactly like a wrong password', async () => {
    await admins.create('known@example.com', 'correct horse battery');
    const ip = nextAddress();
    const unknown = await refusal(signIn.signIn('nobody@example.com', 'whatever', ip));
    const wrong = await refusal(signIn.signIn('known@example.com', 'whatever', ip));
    expect([unknown.kind, unknown.code, unknown.message]).toEqual([wrong.kind, wrong.code, wrong.message]);
    expect(unknown.status).toBe(401);
  });

  it('throttles an address after 10 failures in 15 minutes, whatever the accounts, while others still sign in', async () => {
    await admins.create('busy@example.com', 'correct horse battery');
    const attacker = nextAddress();
    for (let i = 0; i < SIGN_IN_RULES.throttleMaxFailures; i++) {
      await refusal(signIn.signIn(`guess-${i}@example.com`, 'password', attacker));
    }
    const throttled = await refusal(signIn.signIn('busy@example.com', 'correct horse battery', attacker));
    expect([throttled.code, throttled.status]).toEqual(['SignInThrottled', 429]);
    await expect(signIn.signIn('busy@example.com', 'correct horse battery', nextAddress())).resolves.toBeDefined();

    clock.advance(SIGN_IN_RULES.throttleWindowMs + 1000);
    await expect(signIn.signIn('busy@example.com', 'correct horse battery', attacker)).resolves.toBeDefined();
    expect((await auditRows(attacker)).map((entry) => entry.outcome)).toContain('throttled');
  });

  it('makes an address wait longer after each failure beyond the free ones, whatever the account, until a success', async () => {
    await admins.create('patient@example.com', 'correct horse battery');
    const ip = nextAddress();
    for (let i = 0; i < SIGN_IN_RULES.freeFailures; i++) {
      await refusal(signIn.signIn(i === 1 ? 'patient@example.com' : `guess-${i}@example.com`, `wrong-${i}`, ip));
    }
    // Only one of them is against this account, so its own lockout (3) stays out of the way.
    // The next attempt comes too soon: refused before the password is checked, even the right one, and the
    // same for an unknown account (the delay belongs to the address, so it reveals nothing).
    const tooSoon = await refusal(signIn.signIn('patient@example.com', 'correct horse battery', ip));
    expect([tooSoon.code, tooSoon.status, tooSoon.message]).toEqual([
      'SignInDelayed',
      429,
      'Too many failed sign-ins from this address: wait 1 second before trying again.',
    ]);
    expect((await refusal(signIn.signIn('ghost@example.com', 'x', ip))).message).toBe(tooSoon.message);
    expect(signInDelayMs(SIGN_IN_RULES.freeFailures)).toBe(SIGN_IN_RULES.delayBaseMs);

    clock.advance(SIGN_IN_RULES.delayBaseMs);
    expect((await refusal(signIn.signIn('patient@example.com', 'wrong again', ip))).code).toBe('SignInRefused');
    // One more failure: the wait doubles.
    clock.advance(SIGN_IN_RULES.delayBaseMs);
    const longer = await refusal(signIn.signIn('patient@example.com', 'correct horse battery', ip));
    expect(longer.message).toMatch(/wait 1 second/);
    clock.advance(SIGN_IN_RULES.delayBaseMs);
    await expect(signIn.signIn('patient@example.com', 'correct horse battery', ip)).resolves.toBeDefined();

    // A success starts the count again: the next failure is answered at once, without a delay.
    expect((await refusal(signIn.signIn('patient@example.com', 'typo', ip))).code).toBe('SignInRefused');
    const outcomes = (await auditRows(ip)).map((entry) => entry.outcome).reverse();
    expect(outcomes).toEqual([
      ...Array.from({ length: SIGN_IN_RULES.freeFailures }, (_, i) => (i === 1 ? 'wrong_password' : 'unknown_account')),
      'delayed',
      'delayed',
      'wrong_password',
      'delayed',
      'success',
      'wrong_password',
    ]);
  });

  it('caps the growing delay', () => {
    const delays = Array.from({ length: 12 }, (_, i) => signInDelayMs(i));
    expect(delays.slice(0, SIGN_IN_RULES.freeFailures).every((ms) => ms === 0)).toBe(true);
    expect(delays.slice(SIGN_IN_RULES.freeFailures, SIGN_IN_RULES.freeFailures + 3)).toEqual([1000, 2000, 4000]);
    expect(Math.max(...delays)).toBe(SIGN_IN_RULES.delayMaxMs);
  });

  it('audits every attempt with who, when and from where, and never the password', async () => {
    const ip = nextAddress();
    const before = clock.current.getTime();
    await refusal(signIn.signIn('known@example.com', 'Sup3rSecretGuess!', ip));
    await refusal(signIn.signIn('ghost@example.com', 'An0therSecretGuess!', ip));
    const rows = await auditRows(ip);
    expect(rows.map((entry) => [entry.action, entry.actorEmail, entry.outcome])).toEqual([
      ['sign_in', 'ghost@example.com', 'unknown_account'],
      ['sign_in', 'known@example.com', 'wrong_password'],
    ]);
    expect(rows[1].adminUserId).toBe((await admins.findByEmail('known@example.com'))!.id);
    expect(rows[0].createdAt.getTime()).toBeGreaterThan(before);
    expect(rows[0].createdAt.getTime()).toBeLessThanOrEqual(clock.current.getTime());
    const everything = JSON.stringify((await audit.page({}, { limit: 1000 })).rows);
    expect(everything).not.toContain('Secret');
    expect(everything).not.toContain('correct horse');
  });

  it('makes the seeded admin replace its password: current one required, a weak or unchanged one refused', async () => {
    await admins.ensureDefaultAdmin();
    const seeded = (await admins.findByEmail(DEFAULT_ADMIN.email))!;
    expect(seeded.mustChangePassword).toBe(true);
    expect(seeded.passwordHash).toMatch(/^\$argon2id\$/);

    const wrongCurrent = await refusal(admins.changePassword(seeded.id, 'not it', 'a long enough passphrase'));
    expect(wrongCurrent.code).toBe('WrongCurrentPassword');
    for (const weak of ['short', 'password1234', DEFAULT_ADMIN.email]) {
      expect((await refusal(admins.changePassword(seeded.id, DEFAULT_ADMIN.password, weak))).code).toBe('WeakPassword');
    }
    await admins.changePassword(seeded.id, DEFAULT_ADMIN.password, 'a long enough passphrase');
    const changed = await admins.get(seeded.id);
    expect(changed.mustChangePassword).toBe(false);
    await refusal(signIn.signIn(DEFAULT_ADMIN.email, DEFAULT_ADMIN.password, nextAddress()));
    await expect(signIn.signIn(DEFAULT_ADMIN.email, 'a long enough passphrase', nextAddress())).resolves.toBeDefined();

    // Another admin's reset forces a change again, and unlocks.
    await admins.resetPassword(seeded.id, 'temporary passphrase 1');
    expect((await admins.get(seeded.id)).mustChangePassword).toBe(true);
  });

  it('lets another admin unlock a locked account before the hour is over', async () => {
    const admin = await admins.create('unlock@example.com', 'correct horse battery');
    const ip = nextAddress();
    for (let i = 0; i < 3; i++) await refusal(signIn.signIn('unlock@example.com', 'nope', ip));
    await refusal(signIn.signIn('unlock@example.com', 'correct horse battery', ip));
    await admins.unlock(admin.id);
    await expect(signIn.signIn('unlock@example.com', 'correct horse battery', ip)).resolves.toBeDefined();
  });
});
