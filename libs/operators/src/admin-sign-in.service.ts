import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

import { AdminUser } from './admin-user.entity.js';
import { AdminUsersService, hashPassword } from './admin-users.service.js';
import { AuditLog } from './audit-log.service.js';
import { Clock } from './clock.js';
import { OperatorErrors } from './operators.errors.js';

/**
 * The seed's lockout (3 wrong passwords lock for an hour), a per-address throttle on top, and a growing
 * delay per address: after `freeFailures` failed sign-ins since its last success, each next attempt must wait
 * `delayBaseMs`, doubled per further failure up to `delayMaxMs`, after the previous failure.
 */
export const SIGN_IN_RULES = {
  maxFailures: 3,
  lockMs: 3600_000,
  throttleWindowMs: 15 * 60_000,
  throttleMaxFailures: 10,
  freeFailures: 5,
  delayBaseMs: 1000,
  delayMaxMs: 60_000,
} as const;

/** How long an address must wait after its last failure, given its failures since its last success. */
export function signInDelayMs(failures: number): number {
  if (failures < SIGN_IN_RULES.freeFailures) return 0;
  return Math.min(SIGN_IN_RULES.delayMaxMs, SIGN_IN_RULES.delayBaseMs * 2 ** (failures - SIGN_IN_RULES.freeFailures));
}

/**
 * Checks an admin's email and password. Unknown accounts, wrong passwords and locked accounts get the same
 * error (and an unknown account still costs an argon2 verification), so the answers reveal no accounts.
 * Every attempt is audited, with the typed email but never the password.
 */
@Injectable()
export class AdminSignIn {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly admins: AdminUsersService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async signIn(email: string, password: string, ip: string): Promise<AdminUser> {
    const now = this.clock.now();
    const attempt = { action: 'sign_in', actorEmail: email, ip };
    const since = new Date(now.getTime() - SIGN_IN_RULES.throttleWindowMs);
    if ((await this.audit.failedSignInsFrom(ip, since)) >= SIGN_IN_RULES.throttleMaxFailures) {
      await this.audit.record({ ...attempt, outcome: 'throttled' });
      throw OperatorErrors.throttled();
    }
    const recent = await this.audit.failuresSinceLastSuccess(ip, since);
    const waitMs = recent.lastAt ? recent.lastAt.getTime() + signInDelayMs(recent.count) - now.getTime() : 0;
    if (waitMs > 0) {
      // Refused before any password check, the same for every account: the delay reveals nothing.
      await this.audit.record({ ...attempt, outcome: 'delayed', details: { wait_ms: waitMs } });
      throw OperatorErrors.slowDown(Math.ceil(waitMs / 1000));
    }
    const admin = await this.admins.findByEmail(email);
    if (!admin) {
      this.dummyHash ??= hashPassword('not a password of anyone');
      await argon2.verify(await this.dummyHash, password);
      await this.audit.record({ ...attempt, outcome: 'unknown_account' });
      throw OperatorErrors.signInRefused();
    }
    const audited = { ...attempt, adminUserId: admin.id };
    if (admin.lockedUntil && admin.lockedUntil.getTime() > now.getTime()) {
      await this.audit.record({ ...audited, outcome: 'locked' });
      throw OperatorErrors.signInRefused();
    }
    if (!(await argon2.verify(admin.passwordHash, password))) {
      const lockUntil = new Date(now.getTime() + SIGN_IN_RULES.lockMs);
      const { locked } = await this.admins.recordFailedSignIn(admin.id, SIGN_IN_RULES.maxFailures, lockUntil);
      await this.audit.record({
        ...audited,
        outcome: 'wrong_password',
        details: locked ? { locked_until: lockUntil.toISOString() } : {},
      });
      throw OperatorErrors.signInRefused();
    }
    await this.admins.recordSignIn(admin, ip, now);
    await this.audit.record({ ...audited, outcome: 'success' });
    return admin;
  }
}
