import { WEBHOOK_EVENT_STATUSES, type WebhookEventStatus, EventsService, WebhooksModule } from '@app/webhooks';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

const USAGE = 'usage: superimap events redeliver --status failed|delivered|skipped [--since ISO-DATE] [--partner ID]';

/** `superimap events redeliver`: sends matching events again, each with its original webhook-id. */
export async function eventsCommand([action, ...args]: string[]): Promise<unknown> {
  if (action !== 'redeliver') throw new CliError(USAGE, USAGE_ERROR);
  const flags = parseFlags(args, {
    status: { type: 'string' },
    since: { type: 'string' },
    partner: { type: 'string' },
  });
  const status = flags.status as WebhookEventStatus | undefined;
  if (!status || !WEBHOOK_EVENT_STATUSES.includes(status) || status === 'pending') {
    throw new CliError(`--status must be failed, delivered or skipped\n${USAGE}`, USAGE_ERROR);
  }
  const since = typeof flags.since === 'string' ? new Date(flags.since) : undefined;
  if (since && Number.isNaN(since.getTime()))
    throw new CliError(`--since is not a date: ${String(flags.since)}`, USAGE_ERROR);
  const partnerId = typeof flags.partner === 'string' ? flags.partner : undefined;
  if (partnerId && !/^[0-9a-f-]{36}$/i.test(partnerId))
    throw new CliError('--partner must be a partner id', USAGE_ERROR);
  return withCommandContext(
    [WebhooksModule],
    async (context) => ({ redelivered: await context.get(EventsService).redeliverWhere({ status, since, partnerId }) }),
    { queues: true },
  );
}
