/**
 * Which request gets which fault: a rule matches on method, path and query, and fires by count
 * (`next`, `nth`) or by a seeded probability (`rate` + `seed`), so every run of a test injects
 * the same faults into the same requests (given the same order of requests).
 */
import { seededRandom } from './seeded-random.js'

export type ServerErrorCode = 500 | 502 | 503 | 504

/** What the proxy does to a request a rule fired on. */
export type Fault =
  /** Answers with this status and a Kubernetes Status body; the request is not forwarded. */
  | { kind: 'status'; code: ServerErrorCode; message?: string; retryAfterSeconds?: number }
  /** Answers 429 TooManyRequests with `Retry-After`, as API Priority and Fairness does; not forwarded. */
  | { kind: 'throttle'; retryAfterSeconds: number; message?: string }
  /** Resets the client's connection at once: the request never reaches the server. */
  | { kind: 'reset' }
  /**
   * Forwards the request, waits for the server's whole answer (the server has applied it),
   * then resets the client's connection instead of answering: the "lost answer".
   */
  | { kind: 'reset-after-apply' }
  /** Forwards the request, lets the server apply it, then answers `code` (default 500) instead. */
  | { kind: 'status-after-apply'; code?: ServerErrorCode; message?: string }
  /** Never answers and never forwards; the connection stays open until the client gives up. */
  | { kind: 'hang' }
  /**
   * Forwards a watch and passes its stream through, then cuts it after `afterEvents` events
   * or `afterMs` ms, whichever comes first:
   * - `close` (default): closes the connection mid-stream (no final chunk), after the events
   *   passed so far reached the client, which sees a truncated stream;
   * - `end`: ends the response cleanly, as the API server does when a watch times out;
   * - `reset`: resets the connection; events still in flight may be lost, as on a real cut.
   */
  | { kind: 'cut-watch'; afterEvents?: number; afterMs?: number; how?: 'close' | 'end' | 'reset' }

export type FaultKind = Fault['kind']

export interface FaultRule {
  /** Shown in the request record; defaults to the fault's kind. */
  name?: string
  /** HTTP methods to match (case-insensitive); any when omitted. */
  method?: string | string[]
  /** Matched against the URL path (no query); a string is compiled as a regular expression. */
  path?: RegExp | string
  /**
   * Query parameters to match: a string must equal the value, a RegExp must match it, `null`
   * requires the parameter to be absent (`{ dryRun: null }`: only real writes).
   */
  query?: Record<string, string | RegExp | null>
  /** Fires on the next `next` matching requests, then never again. */
  next?: number
  /** Fires on the nth matching request(s), 1-based, counted from when the rule was added. */
  nth?: number | number[]
  /** Fires on each matching request with this probability, drawn from a PRNG seeded with `seed` (default 1). */
  rate?: number
  seed?: number
  fault: Fault
}

/** A rule as the proxy holds it: how often it matched and fired so far. */
export interface ActiveRule {
  readonly rule: FaultRule
  readonly matched: number
  readonly fired: number
  /** Stops the rule from matching any further request. */
  remove(): void
}

export interface RequestFacts {
  method: string
  path: string
  query: URLSearchParams
}

/** The proxy's rule list: rules are tried in the order they were added; the first that fires wins. */
export class FaultRules {
  private readonly active: RuleState[] = []

  add(rule: FaultRule): ActiveRule {
    const state = new RuleState(rule, () => {
      const index = this.active.indexOf(state)
      if (index >= 0) this.active.splice(index, 1)
    })
    this.active.push(state)
    return state
  }

  clear(): void {
    this.active.length = 0
  }

  get list(): readonly ActiveRule[] {
    return [...this.active]
  }

  /**
   * The rule that fires on this request, if any. Every matching rule counts the request (and a
   * rate rule draws its random number) even when an earlier rule already fired, so one rule's
   * sequence does not depend on the others.
   */
  choose(request: RequestFacts): RuleState | undefined {
    let winner: RuleState | undefined
    for (const state of [...this.active]) {
      if (!state.matches(request)) continue
      const fires = state.decide()
      if (fires && winner === undefined) winner = state
    }
    winner?.recordFired()
    return winner
  }
}

class RuleState implements ActiveRule {
  matched = 0
  fired = 0
  private readonly pathPattern: RegExp | undefined
  private readonly methods: Set<string> | undefined
  private readonly random: (() => number) | undefined
  private readonly nth: Set<number> | undefined

  constructor(
    readonly rule: FaultRule,
    readonly remove: () => void
  ) {
    this.pathPattern = typeof rule.path === 'string' ? new RegExp(rule.path) : rule.path
    const methods = rule.method === undefined ? undefined : [rule.method].flat()
    this.methods = methods ? new Set(methods.map((m) => m.toUpperCase())) : undefined
    this.random = rule.rate !== undefined ? seededRandom(rule.seed ?? 1) : undefined
    this.nth = rule.nth !== undefined ? new Set([rule.nth].flat()) : undefined
  }

  get name(): string {
    return this.rule.name ?? this.rule.fault.kind
  }

  matches(request: RequestFacts): boolean {
    if (this.methods && !this.methods.has(request.method.toUpperCase())) return false
    if (this.pathPattern && !this.pathPattern.test(request.path)) return false
    for (const [key, expected] of Object.entries(this.rule.query ?? {})) {
      const actual = request.query.get(key)
      if (expected === null) {
        if (actual !== null) return false
      } else if (actual === null) {
        return false
      } else if (typeof expected === 'string' ? actual !== expected : !expected.test(actual)) {
        return false
      }
    }
    return true
  }

  /** Counts one matching request and says whether the rule would fire on it. */
  decide(): boolean {
    this.matched++
    const draw = this.random?.()
    if (this.rule.next !== undefined && this.fired >= this.rule.next) return false
    if (this.nth && !this.nth.has(this.matched)) return false
    if (draw !== undefined && draw >= (this.rule.rate ?? 0)) return false
    return true
  }

  recordFired(): void {
    this.fired++
  }
}
