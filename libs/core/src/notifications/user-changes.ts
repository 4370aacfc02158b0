import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

import type { RedisClient } from '../redis/redis-connection.js';
import { RedisService } from '../redis/redis.module.js';

/** Something about which mailboxes should be watched changed; imap-client processes re-check them. */
export interface UserChange {
  reason: 'created' | 'updated' | 'credentials_changed' | 'archived' | 'restored' | 'deleted' | 'connection_deleted';
  userIds: string[];
  connectionId?: string;
}

/**
 * Publishes and receives user changes over Redis pub/sub. Pub/sub is fire-and-forget, which is fine here:
 * the periodic re-balance is the safety net when a message is missed.
 */
@Injectable()
export class UserChangeNotifier implements OnApplicationShutdown {
  private subscriber?: RedisClient;

  constructor(@Inject(RedisService) private readonly redis: RedisService) {}

  private get channel(): string {
    return this.redis.key('user-changes');
  }

  async publish(change: UserChange): Promise<void> {
    await this.redis.client.publish(this.channel, JSON.stringify(change));
  }

  async subscribe(handler: (change: UserChange) => void): Promise<void> {
    this.subscriber ??= this.redis.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) handler(JSON.parse(message) as UserChange);
    });
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
