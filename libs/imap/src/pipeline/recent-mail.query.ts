import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { MailLog } from './mail-log.entity.js';

/** One message seen in a mailbox, as an operator sees it (no content: the log never holds any). */
export interface SeenMessage {
  id: string;
  uid: string;
  uidValidity: string;
  messageId: string | null;
  internalDate: Date | null;
  /** The webhook event it produced; null for tracers and duplicates. */
  eventId: string | null;
  seenAt: Date;
}

/** The mail log read for operators: a user's latest messages, newest first (admin pages). */
@Injectable()
export class RecentMail {
  constructor(@InjectRepository(MailLog) private readonly mailLogs: Repository<MailLog>) {}

  async forUser(userId: string, limit = 20): Promise<SeenMessage[]> {
    const rows = await this.mailLogs.find({
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id,
      uid: row.uid,
      uidValidity: row.uidValidity,
      messageId: row.messageId,
      internalDate: row.internalDate,
      eventId: row.eventId,
      seenAt: row.createdAt,
    }));
  }
}
