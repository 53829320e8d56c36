import { defaultExpectedStatus, type HttpCheck, type StatusExpectation } from './http-check.js'
import { JsonPathError, parseJsonPath, readJsonPath } from './json-path.js'

export function expectedStatuses(check: HttpCheck): StatusExpectation[] {
  return check.expect.status.length > 0 ? check.expect.status : defaultExpectedStatus
}

export function statusMatches(status: number, expected: readonly StatusExpectation[]): boolean {
  return expected.some((e) => (typeof e === 'number' ? e === status : status >= e.from && status <= e.to))
}

/** "200-299", "200, 204 or 301-308". */
export function describeStatuses(expected: readonly StatusExpectation[]): string {
  const parts = expected.map((e) => (typeof e === 'number' ? String(e) : `${e.from}-${e.to}`))
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`
}

export interface Mismatch {
  message: string
  /** The check itself is wrong (a bad regex or path): retrying cannot help. */
  misconfigured: boolean
}

/**
 * Checks the body assertions of `check` and returns one precise message per mismatch, empty when
 * all hold. `truncated` says the body was cut at the size cap, which the messages then mention,
 * because a mismatch may only mean the interesting part came later.
 */
export function bodyMismatches(
  check: HttpCheck,
  body: string,
  truncated: boolean,
  capLabel: string
): Mismatch[] {
  const problems: Mismatch[] = []
  const mismatch = (message: string): void => void problems.push({ message, misconfigured: false })
  const misconfigured = (message: string): void => void problems.push({ message, misconfigured: true })
  const { bodyContains, bodyMatches, json } = check.expect
  const cut = truncated ? ` (only the first ${capLabel} were read)` : ''
  if (bodyContains !== undefined && !body.includes(bodyContains)) {
    mismatch(`body does not contain ${JSON.stringify(bodyContains)}${cut}`)
  }
  if (bodyMatches !== undefined) {
    let pattern: RegExp | undefined
    try {
      pattern = new RegExp(bodyMatches)
    } catch (error) {
      misconfigured(`expect.body-matches is not a valid regular expression: ${(error as Error).message}`)
    }
    if (pattern && !pattern.test(body)) mismatch(`body does not match /${bodyMatches}/${cut}`)
  }
  if (json && json.length > 0) {
    let parsed: unknown
    let parseError: string | undefined
    try {
      parsed = JSON.parse(body)
    } catch (error) {
      parseError = (error as Error).message
    }
    if (parseError !== undefined) {
      const paths = json.map((j) => j.path).join(', ')
      mismatch(`body is not valid JSON (${parseError})${cut}, so json path ${paths} cannot be checked`)
    } else {
      for (const expectation of json) {
        let segments
        try {
          segments = parseJsonPath(expectation.path)
        } catch (error) {
          if (error instanceof JsonPathError) {
            misconfigured(error.message)
            continue
          }
          throw error
        }
        const lookup = readJsonPath(parsed, segments)
        const expected = JSON.stringify(expectation.equals)
        if (!lookup.found) {
          mismatch(`json path ${expectation.path}: expected ${expected}, but ${lookup.missing} is absent`)
        } else if (lookup.value !== expectation.equals) {
          mismatch(`json path ${expectation.path}: expected ${expected}, got ${describeJson(lookup.value)}`)
        }
      }
    }
  }
  return problems
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value !== null && typeof value === 'object') return 'an object'
  return JSON.stringify(value)
}
