/**
 * Waits a fixed time on purpose, for assertions that something did NOT happen (no second request, no
 * more events) or that count what happens in a time window. `why` says what the period stands for;
 * anything that waits for something to happen uses waitFor instead.
 */
export async function quietPeriod(ms: number, why: string): Promise<void> {
  if (!why) throw new Error('say why the test waits a fixed time');
  await new Promise((resolve) => setTimeout(resolve, ms));
}
