/** Settings of the login throttle. */
export interface LoginThrottleOptions {
  /** Failed passwords for one account name within `windowMs` before it is locked. */
  maxFailuresPerAccount: number;
  /** Failed passwords from one client address within `windowMs` before it is locked. */
  maxFailuresPerAddress: number;
  /** How long failures are remembered, and the first lockout's length. */
  windowMs: number;
  /**
   * Names and addresses remembered at most, each. When one more is needed, an entry that
   * holds no lockout and no attempt in progress goes, the least recently seen first.
   */
  maxEntries?: number;
  /** The clock, injectable for tests. */
  now?: () => number;
}

/** Which limit a login ran into: the account name's, or the client address's. */
export type ThrottleScope = "account" | "address";

/** A login refused before its password was looked at. */
export class LoginThrottledError extends Error {
  constructor(
    readonly scope: ThrottleScope,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many failed logins for this ${scope}; ` + `try again in ${retryAfterSeconds} s`);
    this.name = "LoginThrottledError";
  }
}

/** A lockout that a failure has just started, for the audit trail. */
export interface Lockout {
  scope: ThrottleScope;
  failures: number;
  retryAfterSeconds: number;
}

/** One login attempt admitted by {@link LoginThrottle.begin}; settle it with its outcome. */
export interface LoginAttempt {
  /** The account's key: its name in lower case, so that case variants share one count. */
  readonly account: string;
  /** The name exactly as given (cut like the key). */
  readonly name: string;
  readonly address: string;
}

interface Entry {
  /** Attempts admitted whose outcome is not known yet. */
  pending: number;
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** Lockouts so far; each one lasts twice as long as the one before. */
  lockouts: number;
  /**
   * The exact name every failure of this entry was for; SEVERAL_NAMES once failures came
   * under more than one spelling. Account names are case-sensitive but share one count across
   * case variants, so a success under one spelling must not wipe failures under another.
   */
  failedAs: string | typeof SEVERAL_NAMES | null;
}

const SEVERAL_NAMES = Symbol("several names");

/** A lockout never lasts longer than this many windows, however often it recurs. */
const MAX_LOCKOUT_WINDOWS = 16;
/** Longer names are cut: they are still told apart, and cannot fill memory. */
const MAX_KEY_LENGTH = 128;
/**
 * Slows password guessing. Failures are counted per account name (known or not, so the
 * answer never tells which accounts exist) and per client address; after too many within
 * the window, that name or address is locked out for a window, twice as long at each
 * further lockout. While locked, logins are refused before any password is checked, the
 * right one included. A successful login clears its account's count but not its address's,
 * so an attacker with one account cannot use it to wipe the address's record.
 *
 * Names differing only in case share one count, but a success clears the count only when
 * every failure was for that exact name: the owner of `CAROL` cannot wipe guesses at `carol`.
 *
 * Attempts are counted when they begin, so a burst of parallel guesses cannot all slip in
 * before the first failure is recorded. A locked address is refused before its name is
 * even looked up, so it cannot push names out of the table.
 *
 * Memory is bounded: at most `maxEntries` names and as many addresses, whatever comes. An
 * entry holds two short strings (cut at 128 characters) and a few numbers, under 1 KB, so
 * the default 10,000 of each stay under about 20 MB in the worst case. When the table is
 * full, the least recently seen entry that holds no lockout and no attempt in progress is
 * evicted, so a flood of made-up names cannot erase a lockout. When every entry is locked or
 * busy (10,000 locked names: some 100,000 failures from 2,000 addresses a window), the new
 * name is not remembered: its attempts still count against their address, and no lockout
 * is given up for it.
 *
 * @example
 * const attempt = throttle.begin("alice", "10.0.0.5"); // throws LoginThrottledError
 * const ok = await checkPassword();
 * if (ok) throttle.succeeded(attempt); else throttle.failed(attempt);
 */
export class LoginThrottle {
  readonly #accounts = new Map<string, Entry>();
  readonly #addresses = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Admits an attempt, or throws LoginThrottledError while the account or address is locked. */
  begin(username: string, clientAddress: string): LoginAttempt {
    const now = this.#now();
    const attempt = {
      account: keyOf(username.toLowerCase()),
      name: keyOf(username),
      address: keyOf(clientAddress),
    };
    // The address first: a locked address must not add or refresh names in the account
    // table, or it could push a locked account out with made-up names at no cost.
    const address = this.#entry(this.#addresses, attempt.address, now);
    this.#refuseIfLocked("address", address, this.options.maxFailuresPerAddress, now);
    const account = this.#entry(this.#accounts, attempt.account, now);
    this.#refuseIfLocked("account", account, this.options.maxFailuresPerAccount, now);
    account.pending++;
    address.pending++;
    return attempt;
  }

  /**
   * Throws LoginThrottledError while the account or the address is locked out, without
   * admitting an attempt: for credentials already verified, or being verified by another
   * request, which are no new guess.
   */
  refuseIfLocked(username: string, clientAddress: string): void {
    const now = this.#now();
    const pairs = [
      ["address", this.#addresses.get(keyOf(clientAddress))],
      ["account", this.#accounts.get(keyOf(username.toLowerCase()))],
    ] as const;
    for (const [scope, entry] of pairs) {
      if (entry && entry.lockedUntil > now) {
        throw new LoginThrottledError(scope, secondsUntil(entry, now));
      }
    }
  }

  /** Records a wrong password; returns the lockouts it started, if any. */
  failed(attempt: LoginAttempt): Lockout[] {
    const now = this.#now();
    const lockouts: Lockout[] = [];
    const pairs = [
      ["account", this.#accounts.get(attempt.account), this.options.maxFailuresPerAccount],
      ["address", this.#addresses.get(attempt.address), this.options.maxFailuresPerAddress],
    ] as const;
    for (const [scope, entry, max] of pairs) {
      if (!entry) continue;
      entry.pending = Math.max(0, entry.pending - 1);
      entry.failures++;
      entry.lastFailureAt = now;
      if (scope === "account") entry.failedAs = addFailedName(entry.failedAs, attempt.name);
      if (entry.failures < max || entry.lockedUntil > now) continue;
      entry.lockouts++;
      const windows = Math.min(2 ** (entry.lockouts - 1), MAX_LOCKOUT_WINDOWS);
      entry.lockedUntil = now + windows * this.options.windowMs;
      lockouts.push({
        scope,
        failures: entry.failures,
        retryAfterSeconds: secondsUntil(entry, now),
      });
      entry.failures = 0;
    }
    return lockouts;
  }

  /**
   * Records a right password: the account starts afresh, unless failures came under another
   * spelling of its name; the address's failures remain.
   */
  succeeded(attempt: LoginAttempt): void {
    const account = this.#accounts.get(attempt.account);
    if (account && (account.failedAs === null || account.failedAs === attempt.name)) {
      this.#accounts.delete(attempt.account);
    } else if (account) {
      account.pending = Math.max(0, account.pending - 1);
    }
    const address = this.#addresses.get(attempt.address);
    if (address) address.pending = Math.max(0, address.pending - 1);
  }

  /**
   * Records a right password that needed no attempt, because it was verified a moment ago:
   * like {@link succeeded}, it clears the account's failures when they were all for this
   * exact name; attempts in progress and the lockout history stay.
   */
  succeededAgain(username: string): void {
    const account = this.#accounts.get(keyOf(username.toLowerCase()));
    if (!account || (account.failedAs !== null && account.failedAs !== keyOf(username))) return;
    account.failures = 0;
    account.failedAs = null;
  }

  /** Settles an attempt that ended without an answer (the identity service was down). */
  abandoned(attempt: LoginAttempt): void {
    for (const entry of [
      this.#accounts.get(attempt.account),
      this.#addresses.get(attempt.address),
    ]) {
      if (entry) entry.pending = Math.max(0, entry.pending - 1);
    }
  }

  /** How many names and addresses are remembered, for tests of the memory bound. */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.#accounts.size, addresses: this.#addresses.size };
  }

  #refuseIfLocked(scope: ThrottleScope, entry: Entry, max: number, now: number): void {
    if (entry.lockedUntil > now) {
      throw new LoginThrottledError(scope, secondsUntil(entry, now));
    }
    // Attempts still being checked count as failures until they are known not to be.
    if (entry.failures + entry.pending >= max) throw new LoginThrottledError(scope, 1);
  }

  /** The entry for `key`, fresh when it was never seen or has gone stale; now most recent. */
  #entry(entries: Map<string, Entry>, key: string, now: number): Entry {
    let entry = entries.get(key);
    if (entry) entries.delete(key);
    if (!entry || this.#isStale(entry, now)) {
      entry = {
        pending: 0,
        failures: 0,
        lastFailureAt: 0,
        lockedUntil: 0,
        lockouts: 0,
        failedAs: null,
      };
    } else if (now - entry.lastFailureAt > this.options.windowMs) {
      // The window passed: old failures no longer count, but the lockout history does.
      entry.failures = 0;
    }
    entries.set(key, entry);
    if (entries.size > this.#maxEntries) this.#evictOne(entries, key, now);
    return entry;
  }

  /**
   * Drops the least recently seen entry that holds no lockout and no attempt in progress;
   * when there is none, the newcomer `added` itself, which then counts against nothing but
   * its address. Scanning past locked entries costs at most one pass over the table, and
   * only while it is full of them.
   */
  #evictOne(entries: Map<string, Entry>, added: string, now: number): void {
    for (const [key, entry] of entries) {
      if (key === added) break;
      if (entry.pending === 0 && entry.lockedUntil <= now) {
        entries.delete(key);
        return;
      }
    }
    entries.delete(added);
  }

  /** Forgotten entirely once a full window has passed after its last failure and lockout. */
  #isStale(entry: Entry, now: number): boolean {
    const lastEvent = Math.max(entry.lastFailureAt, entry.lockedUntil);
    return entry.pending === 0 && now - lastEvent > this.options.windowMs;
  }
}

function secondsUntil(entry: Entry, now: number): number {
  return Math.max(1, Math.ceil((entry.lockedUntil - now) / 1000));
}

function keyOf(text: string): string {
  return text.length > MAX_KEY_LENGTH ? text.slice(0, MAX_KEY_LENGTH) : text;
}

/** The failed spelling record after one more failure under `name`. */
function addFailedName(failedAs: Entry["failedAs"], name: string): Entry["failedAs"] {
  return failedAs === null || failedAs === name ? name : SEVERAL_NAMES;
}
