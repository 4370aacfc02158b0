import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AdminAuditEntry } from './admin-audit-entry.entity.js';
import { AdminSignIn } from './admin-sign-in.service.js';
import { AdminUser } from './admin-user.entity.js';
import { AdminUsersService } from './admin-users.service.js';
import { AuditLog } from './audit-log.service.js';
import { Clock } from './clock.js';

@Module({
  imports: [TypeOrmModule.forFeature([AdminUser, AdminAuditEntry])],
  providers: [AdminUsersService, AdminSignIn, AuditLog, Clock],
  exports: [AdminUsersService, AdminSignIn, AuditLog, Clock],
})
export class OperatorsModule {}
