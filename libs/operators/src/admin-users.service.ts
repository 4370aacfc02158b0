import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import argon2 from 'argon2';
import type { Repository } from 'typeorm';

import { AdminUser } from './admin-user.entity.js';
import { OperatorErrors } from './operators.errors.js';

/** The account every fresh installation starts with; it must be changed at first sign-in. */
export const DEFAULT_ADMIN = { email: 'admin@example.com', password: 'password' } as const;

@Injectable()
export class AdminUsersService {
  constructor(@InjectRepository(AdminUser) private readonly admins: Repository<AdminUser>) {}

  async create(email: string, password: string, options: { mustChangePassword?: boolean } = {}): Promise<AdminUser> {
    if (await this.findByEmail(email)) throw OperatorErrors.exists(email);
    return this.admins.save(
      this.admins.create({
        id: randomUUID(),
        email,
        passwordHash: await argon2.hash(password, { type: argon2.argon2id }),
        mustChangePassword: options.mustChangePassword ?? false,
      }),
    );
  }

  async findByEmail(email: string): Promise<AdminUser | null> {
    return this.admins.createQueryBuilder('admin').where('lower(admin.email) = lower(:email)', { email }).getOne();
  }

  /** Creates the default admin once; never resets an existing account's password. */
  async ensureDefaultAdmin(): Promise<boolean> {
    if (await this.findByEmail(DEFAULT_ADMIN.email)) return false;
    await this.create(DEFAULT_ADMIN.email, DEFAULT_ADMIN.password, { mustChangePassword: true });
    return true;
  }
}
