/**
 * Counts the deliveries in flight per partner in this worker, so one slow partner cannot take every
 * slot of the worker's concurrency.
 */
export class PartnerSlots {
  private readonly inFlightByPartner = new Map<string, number>();

  constructor(private readonly perPartner: number) {}

  /** Takes a slot for `partnerId`; false when the partner already has all of its share. */
  tryTake(partnerId: string): boolean {
    const inFlight = this.inFlightByPartner.get(partnerId) ?? 0;
    if (inFlight >= this.perPartner) return false;
    this.inFlightByPartner.set(partnerId, inFlight + 1);
    return true;
  }

  release(partnerId: string): void {
    const left = (this.inFlightByPartner.get(partnerId) ?? 1) - 1;
    if (left > 0) this.inFlightByPartner.set(partnerId, left);
    else this.inFlightByPartner.delete(partnerId);
  }

  get inFlight(): number {
    let total = 0;
    for (const count of this.inFlightByPartner.values()) total += count;
    return total;
  }
}
