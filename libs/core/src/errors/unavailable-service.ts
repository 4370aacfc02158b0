/**
 * Which backing service an error says is away, if any: such a failure is the caller's 503 ("retry later"),
 * not a bug of ours (500).
 */
export function unavailableService(error: unknown): 'Redis' | 'PostgreSQL' | null {
  if (!(error instanceof Error)) return null;
  // ioredis: commands fail with these while the connection is down or being re-established.
  if (error.name === 'MaxRetriesPerRequestError') return 'Redis';
  if (error.message === 'Connection is closed.' || error.message.startsWith("Stream isn't writeable")) return 'Redis';
  // pg / typeorm: the pool cannot reach the server, or the server went away mid-query.
  const driver = (error as { driverError?: { code?: string } }).driverError ?? error;
  const code = (driver as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '57P01' || code === '57P03') return 'PostgreSQL';
  if (/Connection terminated|timeout exceeded when trying to connect/i.test(error.message)) return 'PostgreSQL';
  return null;
}
