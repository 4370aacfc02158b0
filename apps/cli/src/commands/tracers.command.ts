import { TracerLogs, TracerLogsModule } from '@app/tracers';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = 'usage: superimap tracers list [--since 24h|30m|7d|ISO-DATE] [--user USER_ID] [--limit N]';
const UNITS_MS: Record<string, number> = { m: 60_000, h: 3600_000, d: 86_400_000 };

/** `superimap tracers list`: tracer logs over a window, newest first, with p50/p95 latency. */
export async function tracersCommand([action, ...args]: string[]): Promise<unknown> {
  if (action !== 'list') throw new CliError(USAGE, USAGE_ERROR);
  const flags = parseFlags(args, { since: { type: 'string' }, user: { type: 'string' }, limit: { type: 'string' } });
  const since = parseSince(typeof flags.since === 'string' ? flags.since : '24h');
  const userId = typeof flags.user === 'string' ? flags.user : undefined;
  if (userId && !/^[0-9a-f-]{36}$/i.test(userId)) throw new CliError('--user must be a user id', USAGE_ERROR);
  const limit = typeof flags.limit === 'string' ? Number(flags.limit) : 100;
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', USAGE_ERROR);
  const filter = { since, userIds: userId ? [userId] : undefined, limit };
  // Redis too: the users lib (tags) needs it, though nothing is queued.
  return withCommandContext(
    [TracerLogsModule],
    async (context) => {
      const logs = context.get(TracerLogs);
      const summary = await logs.summary(filter);
      return {
        since: summary.since.toISOString(),
        total: summary.total,
        by_status: summary.byStatus,
        p50_seconds: summary.p50Seconds,
        p95_seconds: summary.p95Seconds,
        max_seconds: summary.maxSeconds,
        tracers: (await logs.list(filter)).map((tracer) => ({
          id: tracer.id,
          user_id: tracer.userId,
          user_tag: tracer.userTag,
          status: tracer.status,
          error: tracer.error,
          sent_at: tracer.sentAt?.toISOString() ?? null,
          detected_at: tracer.detectedAt?.toISOString() ?? null,
          latency_seconds: tracer.latencySeconds,
        })),
      };
    },
    { queues: true },
  );
}

/** A duration back from now (`30m`, `24h`, `7d`) or a date. */
function parseSince(value: string): Date {
  const relative = /^(\d+(?:\.\d+)?)([mhd])$/.exec(value);
  const since = relative ? new Date(Date.now() - Number(relative[1]) * UNITS_MS[relative[2]]) : new Date(value);
  if (Number.isNaN(since.getTime())) throw new CliError(`--since is not a duration or a date: ${value}`, USAGE_ERROR);
  return since;
}
