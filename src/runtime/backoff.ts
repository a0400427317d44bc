export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** The delay never grows past this. */
  maxMs: number;
  /** Spread delays by up to this fraction so replicas and keys do not retry in lockstep; 0 for exact delays. */
  jitter?: number;
}

/** Exponential delay for the n-th consecutive failure (n >= 1): base * 2^(n-1), capped at max. */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  // Cap the exponent first so 2^n never overflows into Infinity for keys that fail for days.
  const raw = options.baseMs * 2 ** Math.min(exponent, 52);
  const capped = Math.min(raw, options.maxMs);
  const jitter = options.jitter ?? 0;
  return jitter > 0 ? Math.round(capped * (1 + jitter * random())) : capped;
}

/** Counts consecutive failures of one loop (a watch, an election) and says how long to wait next. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  next(): number {
    this.failures++;
    return backoffDelay(this.failures, this.options);
  }

  reset(): void {
    this.failures = 0;
  }
}
