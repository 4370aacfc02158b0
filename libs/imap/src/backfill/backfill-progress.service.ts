import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';

import { Backfill } from './backfill.entity.js';

/** The run no longer holds its backfill: it was cancelled, or another node claimed it. */
export class BackfillLostError extends Error {
  constructor(id: string) {
    super(`backfill ${id} is no longer this run's`);
    this.name = 'BackfillLostError';
  }
}

/**
 * The imap-client's writes to backfill rows. Every write after the claim is conditional on the claim and on
 * the row still running, so exactly one run makes progress, and a cancel stops it at its next message.
 */
@Injectable()
export class BackfillProgress {
  constructor(@InjectRepository(Backfill) private readonly backfills: Repository<Backfill>) {}

  /** Unfinished backfills of these mailboxes (those this node owns). */
  async unfinishedFor(userIds: string[]): Promise<Backfill[]> {
    if (userIds.length === 0) return [];
    return this.backfills
      .createQueryBuilder('b')
      .where("b.status IN ('pending', 'running')")
      .andWhere('b.user_id = ANY(:userIds)', { userIds })
      .getMany();
  }

  /** Takes the backfill for a run (a pending one, or a running one whose node lost the mailbox). */
  async claim(id: string, claim: string): Promise<Backfill | null> {
    const [rows]: [Record<string, unknown>[], number] = await this.backfills.query(
      `UPDATE backfills SET status = 'running', claim = $2, started_at = COALESCE(started_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ('pending', 'running') RETURNING id`,
      [id, claim],
    );
    return rows.length > 0 ? this.backfills.findOneBy({ id }) : null;
  }

  /** Starts (or, after a UIDVALIDITY change, restarts) the walk through the mailbox under this UIDVALIDITY. */
  async beginUidValidity(id: string, claim: string, uidValidity: number): Promise<void> {
    await this.write(this.backfills.manager, id, claim, 'uid_validity = $3, last_uid = 0', [uidValidity]);
  }

  async setFound(id: string, claim: string, found: number): Promise<void> {
    await this.write(this.backfills.manager, id, claim, 'found = $3', [found]);
  }

  /** One message finished (inside its transaction when the pipeline handled it). */
  async recordMessage(
    manager: EntityManager,
    id: string,
    claim: string,
    uid: number,
    outcome: 'delivered' | 'skipped',
  ): Promise<void> {
    const counter = outcome === 'delivered' ? 'delivered' : 'skipped';
    await this.write(manager, id, claim, `last_uid = GREATEST(last_uid, $3), ${counter} = ${counter} + 1`, [uid]);
  }

  /** A run failed: says why; it stays running (another attempt follows) unless `final`. */
  async recordFailure(id: string, claim: string, error: string, final: boolean): Promise<void> {
    const status = final ? ", status = 'failed', finished_at = now(), claim = NULL" : '';
    await this.write(this.backfills.manager, id, claim, `last_error = $3${status}`, [error.slice(0, 1000)]).catch(
      (lost: unknown) => {
        if (!(lost instanceof BackfillLostError)) throw lost;
      },
    );
  }

  async finish(id: string, claim: string): Promise<void> {
    await this.write(this.backfills.manager, id, claim, "status = 'done', finished_at = now(), claim = NULL", []);
  }

  private async write(
    manager: EntityManager,
    id: string,
    claim: string,
    assignments: string,
    values: unknown[],
  ): Promise<void> {
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE backfills SET ${assignments}, updated_at = now() WHERE id = $1 AND claim = $2 AND status = 'running'`,
      [id, claim, ...values],
    );
    if (affected === 0) throw new BackfillLostError(id);
  }
}
