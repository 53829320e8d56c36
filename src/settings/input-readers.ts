import type { ActionIO, InputName } from '../runtime/action-io.js'
import type { ProblemList } from '../runtime/errors.js'
import { DURATION_EXPECTED, parseDuration } from '../config/duration.js'
import { IMAGE_REFERENCE_FORM, ImageReference, ImageReferenceError } from '../image/image-reference.js'

/**
 * Typed readers over raw inputs. Each records a Problem naming the input, the value and
 * the expected form instead of throwing, so a stage reports every bad input at once.
 */
export class InputReader {
  constructor(
    private readonly io: ActionIO,
    readonly problems: ProblemList
  ) {}

  text(name: InputName): string | undefined {
    const value = this.io.getInput(name)
    return value === '' ? undefined : value
  }

  required(name: InputName, expected: string): string {
    const value = this.text(name)
    if (value === undefined) this.problems.add({ path: `input ${name}`, expected })
    return value ?? ''
  }

  /** YAML 1.2 core booleans, as @actions/core's getBooleanInput accepts them. */
  boolean(name: InputName): boolean | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if (['true', 'True', 'TRUE'].includes(value)) return true
    if (['false', 'False', 'FALSE'].includes(value)) return false
    this.problems.add({ path: `input ${name}`, value, expected: 'true or false' })
    return undefined
  }

  oneOf<T extends string>(name: InputName, allowed: readonly T[]): T | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problems.add({ path: `input ${name}`, value, expected: `one of: ${allowed.join(', ')}` })
    return undefined
  }

  durationMs(name: InputName): number | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const ms = parseDuration(value)
    if (ms === undefined) this.problems.add({ path: `input ${name}`, value, expected: DURATION_EXPECTED })
    return ms
  }

  /** An OCI image reference, parsed by the distribution grammar. */
  image(name: InputName): ImageReference | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    try {
      return ImageReference.parse(value)
    } catch (error) {
      if (!(error instanceof ImageReferenceError)) throw error
      this.problems.add({
        path: `input ${name}`,
        value,
        expected: `${IMAGE_REFERENCE_FORM} (${error.problem})`
      })
      return undefined
    }
  }

  matching(name: InputName, pattern: RegExp, expected: string): string | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if (!pattern.test(value)) {
      this.problems.add({ path: `input ${name}`, value, expected })
      return undefined
    }
    return value
  }
}
