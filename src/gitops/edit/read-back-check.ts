import { isDeepStrictEqual } from 'node:util'
import { parseAllDocuments } from 'yaml'
import { OperationalError } from '../../runtime/errors.js'
import { EDIT_REFUSED } from './yaml-source.js'

/** A change to the data of one document: set (or, without `value`, delete) the value at `at`. */
export interface DataChange {
  document: number
  at: ReadonlyArray<string | number>
  value?: unknown
  remove?: boolean
}

/**
 * The guard behind every splice: the edited file must parse, and read as the original's data
 * with exactly `changes` applied. Anything else (a quoting slip, a line joined wrongly) refuses
 * the edit rather than commit a file that means something else.
 */
export function checkReadsBack(
  path: string,
  before: string,
  after: string,
  changes: readonly DataChange[]
): void {
  const expected = data(before)
  for (const change of changes) apply(expected, change)
  const parsed = parseAllDocuments(after)
  const docs = Array.isArray(parsed) ? parsed : []
  let error: Error | undefined = docs.flatMap((doc) => doc.errors)[0]
  let actual: unknown[] = []
  try {
    actual = docs.map((doc) => doc.toJS() as unknown)
  } catch (cause) {
    error ??= cause as Error
  }
  if (error !== undefined || !isDeepStrictEqual(actual, expected))
    throw new OperationalError(
      `${path}: the edit would not read back as intended${error ? ` (${error.message.split('\n')[0]})` : ''}; ` +
        'the file is left unchanged. Please report this with the file.',
      { title: EDIT_REFUSED }
    )
}

function data(text: string): unknown[] {
  const parsed = parseAllDocuments(text)
  return (Array.isArray(parsed) ? parsed : []).map((doc) => doc.toJS() as unknown)
}

function apply(documents: unknown[], change: DataChange): void {
  if (change.at.length === 0) {
    documents[change.document] = change.value
    return
  }
  let holder = documents[change.document]
  if (holder === null || holder === undefined) holder = documents[change.document] = {}
  for (const key of change.at.slice(0, -1)) {
    const record = holder as Record<string | number, unknown>
    if (record[key] === null || record[key] === undefined) record[key] = {}
    holder = record[key]
  }
  const record = holder as Record<string | number, unknown>
  const last = change.at.at(-1)!
  if (change.remove) delete record[last]
  else record[last] = change.value
}
