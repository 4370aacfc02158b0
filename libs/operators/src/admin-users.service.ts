import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import argon2 from 'argon2';
import type { Repository } from 'typeorm';

import { type KeysetPage, keysetPage } from '@app/core';

import { AdminUser } from './admin-user.entity.js';
import { OperatorErrors } from './operators.errors.js';
import { assertAcceptablePassword } from './password-policy.js';

/** The account every fresh installation starts with; it must be changed at first sign-in. */
export const DEFAULT_ADMIN = { email: 'admin@example.com', password: 'password' } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

@Injectable()
export class AdminUsersService {
  constructor(@InjectRepository(AdminUser) private readonly admins: Repository<AdminUser>) {}

  async create(email: string, password: string, options: { mustChangePassword?: boolean } = {}): Promise<AdminUser> {
    if (await this.findByEmail(email)) throw OperatorErrors.exists(email);
    return this.admins.save(
      this.admins.create({
        id: randomUUID(),
        email,
        passwordHash: await hashPassword(password),
        mustChangePassword: options.mustChangePassword ?? false,
      }),
    );
  }

  async findByEmail(email: string): Promise<AdminUser | null> {
    return this.admins.createQueryBuilder('admin').where('lower(admin.email) = lower(:email)', { email }).getOne();
  }

  async find(id: string): Promise<AdminUser | null> {
    return this.admins.findOneBy({ id });
  }

  async get(id: string): Promise<AdminUser> {
    const admin = await this.find(id);
    if (!admin) throw OperatorErrors.notFound(id);
    return admin;
  }

  /** Creates the default admin once; never resets an existing account's password. */
  async ensureDefaultAdmin(): Promise<boolean> {
    if (await this.findByEmail(DEFAULT_ADMIN.email)) return false;
    await this.create(DEFAULT_ADMIN.email, DEFAULT_ADMIN.password, { mustChangePassword: true });
    return true;
  }

  async page(
    filter: { email?: string },
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<AdminUser, object>> {
    const builder = this.admins.createQueryBuilder('admin');
    if (filter.email) builder.andWhere('admin.email ILIKE :email', { email: `%${escapeLike(filter.email)}%` });
    return keysetPage(builder, 'admin', query);
  }

  /** The admin's own change: needs the current password; clears the forced change. */
  async changePassword(id: string, currentPassword: string, newPassword: string): Promise<void> {
    const admin = await this.get(id);
    if (!(await argon2.verify(admin.passwordHash, currentPassword))) throw OperatorErrors.wrongCurrentPassword();
    assertAcceptablePassword(newPassword, { email: admin.email });
    if (newPassword === currentPassword) {
      throw OperatorErrors.weakPassword('The new password must differ from the current one.');
    }
    await this.admins.update(
      { id },
      { passwordHash: await hashPassword(newPassword), mustChangePassword: false, failedAttempts: 0 },
    );
  }

  /** Another admin sets a temporary password; the owner must change it at the next sign-in. */
  async resetPassword(id: string, temporaryPassword: string): Promise<void> {
    const admin = await this.get(id);
    assertAcceptablePassword(temporaryPassword, { email: admin.email });
    await this.admins.update(
      { id },
      {
        passwordHash: await hashPassword(temporaryPassword),
        mustChangePassword: true,
        failedAttempts: 0,
        lockedUntil: null,
      },
    );
  }

  /** Counts a wrong password; the last allowed one locks the account until `lockUntil`. Atomic under races. */
  async recordFailedSignIn(id: string, maxFailures: number, lockUntil: Date): Promise<{ locked: boolean }> {
    const rows = await this.admins.query<[{ locked_until: Date | null }[], number]>(
      `UPDATE admin_users SET
         failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
         locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END
       WHERE id = $1 RETURNING locked_until`,
      [id, maxFailures, lockUntil],
    );
    const lockedUntil = rows[0][0]?.locked_until;
    return { locked: !!lockedUntil && lockedUntil.getTime() === lockUntil.getTime() };
  }

  async recordSignIn(admin: AdminUser, ip: string, now: Date): Promise<void> {
    await this.admins.update(
      { id: admin.id },
      {
        failedAttempts: 0,
        lockedUntil: null,
        signInCount: admin.signInCount + 1,
        lastSignInAt: admin.currentSignInAt,
        lastSignInIp: admin.currentSignInIp,
        currentSignInAt: now,
        currentSignInIp: ip,
      },
    );
  }

  async unlock(id: string): Promise<void> {
    await this.get(id);
    await this.admins.update({ id }, { failedAttempts: 0, lockedUntil: null });
  }

  async remove(id: string, byAdminId: string): Promise<void> {
    if (id === byAdminId) throw OperatorErrors.cannotRemoveSelf();
    await this.get(id);
    await this.admins.delete({ id });
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
