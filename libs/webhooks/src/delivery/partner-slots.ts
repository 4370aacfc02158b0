/**
 * Per-partner share of this worker's deliveries, so one slow partner cannot take every slot of the
 * worker's concurrency.
 *
 * A job whose partner already has all of its share in flight WAITS here for a slot when the partner is
 * flowing (a slot was freed within FLOWING_MS): with one busy partner that answers quickly (the common
 * case) nothing is re-queued, nothing re-read. Only a partner whose deliveries are all slow (no slot freed
 * for FLOWING_MS) has its surplus jobs handed back to the queue, so the jobs behind them — other partners'
 * — are reached; a waiter that gets no slot within FLOWING_MS is handed back too.
 */
export class PartnerSlots {
  private readonly partners = new Map<string, PartnerShare>();

  constructor(
    private readonly perPartner: number,
    private readonly flowingMs = FLOWING_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot for `partnerId`, waiting for one while the partner is flowing; false: hand the job back. */
  async take(partnerId: string): Promise<boolean> {
    const share = this.shareOf(partnerId);
    if (share.inFlight < this.perPartner) {
      share.inFlight++;
      return true;
    }
    if (this.now() - share.releasedAt > this.flowingMs) return false;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        share.waiters.delete(waiter);
        this.forgetIfIdle(partnerId, share);
        resolve(false);
      }, this.flowingMs);
      share.waiters.add(waiter);
    });
  }

  /** Gives the slot to the partner's next waiter, or frees it. */
  release(partnerId: string): void {
    const share = this.partners.get(partnerId);
    if (!share) return;
    share.releasedAt = this.now();
    const next = share.waiters.values().next();
    if (!next.done) {
      share.waiters.delete(next.value);
      next.value.grant(); // the slot passes on: inFlight stays
      return;
    }
    share.inFlight--;
    this.forgetIfIdle(partnerId, share);
  }

  /** Deliveries running now (waiters not counted). */
  get inFlight(): number {
    let total = 0;
    for (const share of this.partners.values()) total += share.inFlight;
    return total;
  }

  /** Jobs waiting for a slot of their partner. */
  get waiting(): number {
    let total = 0;
    for (const share of this.partners.values()) total += share.waiters.size;
    return total;
  }

  private shareOf(partnerId: string): PartnerShare {
    let share = this.partners.get(partnerId);
    if (!share) {
      share = { inFlight: 0, waiters: new Set(), releasedAt: this.now() };
      this.partners.set(partnerId, share);
    }
    return share;
  }

  private forgetIfIdle(partnerId: string, share: PartnerShare): void {
    if (share.inFlight <= 0 && share.waiters.size === 0) this.partners.delete(partnerId);
  }
}

/** A partner is "flowing" while one of its deliveries ended within this long; waiting for it is then cheap. */
const FLOWING_MS = 1000;

interface Waiter {
  grant: () => void;
}

interface PartnerShare {
  inFlight: number;
  waiters: Set<Waiter>;
  /** When a slot was last freed (or the share was created, so a new partner counts as flowing). */
  releasedAt: number;
}
