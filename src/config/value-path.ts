/**
 * Paths to a value in a Helm values file: dot-separated keys with `[n]` list indexes, e.g.
 * `image.tag` or `app.containers[0].image`. Keys may hold any character but `.`, `[` and `]`.
 */
export const VALUE_PATH = /^[^.[\]\s]+(?:\[\d+\])*(?:\.[^.[\]\s]+(?:\[\d+\])*)*$/

export const VALUE_PATH_FORM =
  'dot-separated keys with [n] list indexes, e.g. image.tag or containers[0].image'

/** The keys (strings) and list indexes (numbers) of a path matching VALUE_PATH. */
export function valuePathSegments(path: string): Array<string | number> {
  if (!VALUE_PATH.test(path))
    throw new Error(`Not a value path: ${JSON.stringify(path)} (${VALUE_PATH_FORM})`)
  return path.split('.').flatMap((part) => {
    const [key, ...indexes] = part.split('[')
    return [key!, ...indexes.map((index) => Number(index.slice(0, -1)))]
  })
}

/** Writes segments back as a path (`image.containers[0]`), for messages. */
export function formatValuePath(segments: ReadonlyArray<string | number>): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}
