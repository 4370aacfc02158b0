import { Injectable } from '@nestjs/common';
import { type EntityManager, IsNull } from 'typeorm';

import { TracerLog } from './tracer-log.entity.js';

/** Tracer subjects are `TRACER: <uid>`; such mail closes its tracer log instead of reaching the partner. */
const TRACER_SUBJECT = /^TRACER: (\S{1,64})$/;

@Injectable()
export class TracersService {
  /** The tracer uid in a subject, or null when the mail is not a tracer. */
  tracerUid(subject: string | null | undefined): string | null {
    return TRACER_SUBJECT.exec(subject?.trim() ?? '')?.[1] ?? null;
  }

  /** Marks the tracer detected (first sighting wins); runs in the caller's transaction. */
  async markDetected(manager: EntityManager, userId: string, uid: string, at = new Date()): Promise<boolean> {
    const result = await manager.update(TracerLog, { userId, uid, detectedAt: IsNull() }, { detectedAt: at });
    return (result.affected ?? 0) > 0;
  }
}
