// Which fault, if any, a command meets: scripted rules first (in registration order),
// then seeded random chaos. Applying the fault is the session's job.

export type FaultAction =
  /** Tagged BAD (e.g. `THROTTLE.backoff(ms)`). */
  | { type: 'bad'; text?: string }
  /** Tagged NO (e.g. `THROTTLE.tooManyConnections`). */
  | { type: 'no'; text?: string }
  /**
   * A line the client cannot make sense of. Tagged (default `<tag> ZZZ gibberish`) it is the
   * command's only answer; `untagged` (default `* ZZZ gibberish`) is sent before the normal reply.
   * `{tag}` in `line` is replaced by the command tag.
   */
  | { type: 'gibberish'; line?: string; untagged?: boolean }
  /** `* BYE`, then the server closes the connection. */
  | { type: 'bye'; text?: string }
  /** Drops the TCP connection; `reset` sends RST instead of FIN. */
  | { type: 'destroy'; reset?: boolean }
  /** Never answers this or any later command; the socket stays open. */
  | { type: 'silent' }
  | { type: 'delay'; ms: number }
  /** Changes UIDVALIDITY (default: +1; renumber as in setUidValidity) before the command runs normally. */
  | { type: 'uidvalidity'; value?: number; renumber?: boolean | number; mailbox?: string }
  /** For this command the mailbox (default: the one named by the command, else INBOX) does not exist. */
  | { type: 'mailbox-missing'; mailbox?: string }
  /** A lying server: this FETCH reports RFC822.SIZE `size` for every message, whatever its real size. */
  | { type: 'lying-size'; size: number }
  /**
   * This FETCH answers its first message's body section with a literal of `bytes` filler bytes, ignoring
   * any partial `<start.length>` asked for, streamed as fast as the client reads it; the tagged OK follows.
   * A FETCH without a body section is answered normally.
   */
  | { type: 'huge-literal'; bytes: number }
  /**
   * After this FETCH's normal answer, untagged FETCH rows for UIDs never asked for (copies of the first
   * row, with made-up UIDs) keep coming as fast as the client reads them, with no tagged reply, until the
   * connection closes.
   */
  | { type: 'fetch-flood' };

/** The faults that change how a FETCH is answered (see ImapSession.fetchFault). */
export type FetchFault = Extract<FaultAction, { type: 'lying-size' | 'huge-literal' | 'fetch-flood' }>;

export type FaultType = FaultAction['type'];

/** When the fault strikes: instead of the command, or in place of its tagged reply. */
export type FaultTiming = 'start' | 'completion';

export interface FaultRule {
  /**
   * Command name, upper case. `FETCH` also matches `UID FETCH` (likewise SEARCH, STORE);
   * `LOGIN` also matches `AUTHENTICATE`, so "the login fails" holds whatever mechanism the
   * client picks. `GREETING` is the connection greeting, `*` any command.
   */
  command: string;
  /** Only for this user (the authenticated user, or the one trying to log in). */
  user?: string;
  /**
   * Only for commands whose text after the tag matches, e.g. `/^UID FETCH 7 .*BODY/i` for the body fetch
   * of UID 7 (a poisoned message). Without the `g` flag, which would make the test stateful.
   */
  matches?: RegExp;
  /** How many times the rule fires; unlimited when omitted. */
  times?: number;
  /** Default `start`. With `completion` the command runs and sends its untagged data first. */
  at?: FaultTiming;
  action: FaultAction;
}

export interface FaultHandle {
  readonly fired: number;
  readonly remaining: number;
  cancel(): void;
}

export interface ChaosOptions {
  /** Chance, 0..1, that a command meets a fault. */
  probability: number;
  /** Seed for the reproducible random sequence. */
  seed?: number;
  /** Faults to choose from, uniformly. Default: bad, no, tagged gibberish, bye, destroy. */
  faults?: FaultAction[];
  /** Restrict chaos to these commands (same matching as rules). Default: all. */
  commands?: string[];
  /**
   * Fault lists for particular commands, replacing `faults` for them (first matching entry wins;
   * an empty list spares the command). E.g. only transient faults on LOGIN, since a client must
   * read a refused login as bad credentials.
   */
  faultsFor?: Array<{ command: string; faults: FaultAction[] }>;
}

export interface ChosenFault {
  action: FaultAction;
  at: FaultTiming;
}

/** Reply texts of real throttling servers. */
export const THROTTLE = {
  tooManyConnections: '[UNAVAILABLE] Too many simultaneous connections',
  /** imapflow recognises this text (ETHROTTLE) and backs off before retrying. */
  backoff: (ms: number): string => `Request is throttled. Suggested Backoff Time: ${ms} milliseconds`,
} as const;

const DEFAULT_CHAOS_FAULTS: FaultAction[] = [
  { type: 'bad', text: 'Chaos' },
  { type: 'no', text: 'Chaos' },
  { type: 'gibberish' },
  { type: 'bye', text: 'Chaos' },
  { type: 'destroy' },
];

interface ActiveRule extends FaultHandle {
  readonly rule: FaultRule;
  fired: number;
  remaining: number;
}

export function commandMatches(pattern: string, command: string): boolean {
  const wanted = pattern.toUpperCase();
  return (
    wanted === '*' ||
    wanted === command ||
    command === `UID ${wanted}` ||
    (wanted === 'LOGIN' && command === 'AUTHENTICATE')
  );
}

/** mulberry32: tiny, fast and good enough to make chaos runs repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultScript {
  private rules: ActiveRule[] = [];
  private random: () => number;
  private chaosFaults: FaultAction[];
  /** How often each fault type struck, scripted and chaotic together. */
  readonly firedByType = new Map<FaultType, number>();

  constructor(private chaos?: ChaosOptions) {
    this.random = seededRandom(chaos?.seed ?? 0x5eed);
    this.chaosFaults = chaos?.faults?.length ? chaos.faults : DEFAULT_CHAOS_FAULTS;
  }

  add(rule: FaultRule): FaultHandle {
    const rules = this.rules;
    const active: ActiveRule = {
      rule,
      fired: 0,
      remaining: rule.times ?? Infinity,
      cancel() {
        active.remaining = 0;
        const index = rules.indexOf(active);
        if (index >= 0) rules.splice(index, 1);
      },
    };
    this.rules.push(active);
    return active;
  }

  clear(): void {
    this.rules = [];
  }

  /** Turns random chaos on (or off with null), e.g. to let clients converge after a stress run. */
  setChaos(chaos: ChaosOptions | null): void {
    this.chaos = chaos ?? undefined;
    this.random = seededRandom(chaos?.seed ?? 0x5eed);
    this.chaosFaults = chaos?.faults?.length ? chaos.faults : DEFAULT_CHAOS_FAULTS;
  }

  /** Consumes and returns the fault this command meets, if any; `text` is the command line after the tag. */
  take(command: string, user: string | undefined, text = ''): ChosenFault | null {
    const active = this.rules.find(
      (candidate) =>
        commandMatches(candidate.rule.command, command) &&
        (candidate.rule.user === undefined || candidate.rule.user === user) &&
        (candidate.rule.matches === undefined || candidate.rule.matches.test(text)),
    );
    if (active) {
      active.fired++;
      if (--active.remaining <= 0) active.cancel();
      return this.record({ action: active.rule.action, at: active.rule.at ?? 'start' });
    }
    if (!this.chaos || this.chaos.probability <= 0) return null;
    if (this.chaos.commands && !this.chaos.commands.some((pattern) => commandMatches(pattern, command))) return null;
    const faults =
      this.chaos.faultsFor?.find((entry) => commandMatches(entry.command, command))?.faults ?? this.chaosFaults;
    if (faults.length === 0 || this.random() >= this.chaos.probability) return null;
    const action = faults[Math.floor(this.random() * faults.length)];
    return this.record({ action, at: 'start' });
  }

  private record(fault: ChosenFault): ChosenFault {
    this.firedByType.set(fault.action.type, (this.firedByType.get(fault.action.type) ?? 0) + 1);
    return fault;
  }
}
