import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, MoreThan, type Repository } from 'typeorm';

import { UserDirectory } from '@app/users';

import { TracerLog } from './tracer-log.entity.js';
import { TracerMetrics } from './tracer-metrics.service.js';
import { tracerTokenIn } from './tracer-token.js';

/** A tracer's token stops hiding mail this long after it was sent: a copy arriving later is ordinary mail. */
const TOKEN_LIFETIME_MS = 24 * 3600_000;

/** An outstanding tracer log a message carries the token of. */
export interface OutstandingTracer {
  id: string;
  sentAt: Date;
}

/**
 * Tells tracers from ordinary mail: a message is a tracer only if its user has tracers enabled and it carries
 * the token of one of that user's outstanding tracer logs (sent within a day and not yet detected). Anything
 * else, whatever its subject, is ordinary mail and reaches the partner.
 */
@Injectable()
export class TracersService {
  constructor(
    @InjectRepository(TracerLog) private readonly logs: Repository<TracerLog>,
    private readonly directory: UserDirectory,
    private readonly metrics: TracerMetrics,
  ) {}

  /** The outstanding tracer this subject names for this user, or null (the mail is then ordinary). */
  async outstandingTracer(userId: string, subject: string | null | undefined): Promise<OutstandingTracer | null> {
    const token = tracerTokenIn(subject);
    if (!token) return null;
    const log = await this.logs.findOneBy({
      userId,
      token,
      detectedAt: IsNull(),
      sentAt: MoreThan(new Date(Date.now() - TOKEN_LIFETIME_MS)),
    });
    if (!log?.sentAt) return null;
    // Read now, not from the session's copy: tracers may have been turned on or off since it connected.
    if (!(await this.directory.tracerEnabled(userId))) return null;
    return { id: log.id, sentAt: log.sentAt };
  }

  /** Closes the tracer log in the caller's transaction; returns when it was detected (first sighting wins). */
  async close(manager: EntityManager, tracer: OutstandingTracer, at = new Date()): Promise<Date | null> {
    const result = await manager.update(
      TracerLog,
      { id: tracer.id, detectedAt: IsNull() },
      { detectedAt: at, status: 'detected' },
    );
    return (result.affected ?? 0) > 0 ? at : null;
  }

  /** Exports the latency of a closed tracer; call after the commit. */
  observeLatency(tracer: OutstandingTracer, detectedAt: Date, providerCode: string): void {
    const seconds = Math.max(0, (detectedAt.getTime() - tracer.sentAt.getTime()) / 1000);
    this.metrics.latency.observe({ provider: providerCode }, seconds);
  }
}
