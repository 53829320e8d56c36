import { parseDocument } from 'yaml'

/** How a scalar is written: the `yaml` package's names for the three inline styles. */
export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE'
export type QuoteStyle = Exclude<ScalarStyle, 'PLAIN'>

/** Where the scalar sits: flow collections (`[...]`, `{...}`) forbid `,[]{}` in plain scalars. */
export type ScalarContext = 'block' | 'flow'

/**
 * The text of `value` in `style`. A plain value goes plain only when every reader gets the same
 * string back: YAML 1.2 (the yaml package, go-yaml v3) and YAML 1.1 (kustomize's and Helm's
 * sigs.k8s.io/yaml read `yes`, `012`, `1_000`, `2024-01-01` as non-strings). Otherwise it is
 * quoted in `quote`, the file's own habit.
 */
export function scalarText(
  value: string,
  style: ScalarStyle,
  context: ScalarContext,
  quote: QuoteStyle
): string {
  const wanted = style === 'PLAIN' ? (readsBackPlain(value, context) ? 'PLAIN' : quote) : style
  if (wanted === 'PLAIN') return value
  if (wanted === 'QUOTE_SINGLE' && !/[\n\r\t\p{Cc}]/u.test(value)) return `'${value.replaceAll("'", "''")}'`
  // JSON's escapes (\" \\ \n \uXXXX ...) are all valid in YAML double-quoted scalars.
  return JSON.stringify(value)
}

function readJS(doc: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc.toJS()
  } catch {
    return undefined // an alias to nothing (`*x`)
  }
}

/** True when `value` written plain in `context` reads back as exactly that string. */
export function readsBackPlain(value: string, context: ScalarContext): boolean {
  if (value === '' || value !== value.trim() || /[\n\r\t]/.test(value)) return false
  const probes = context === 'flow' ? [`[${value}]`, `{k: ${value}}`] : [`k: ${value}`]
  return (['1.1', '1.2'] as const).every((version) =>
    probes.every((probe) => {
      const doc = parseDocument(probe, { version })
      if (doc.errors.length > 0 || doc.warnings.length > 0) return false
      const js = readJS(doc)
      if (Array.isArray(js)) return js.length === 1 && js[0] === value
      return (
        typeof js === 'object' &&
        js !== null &&
        Object.keys(js).length === 1 &&
        (js as { k?: unknown }).k === value
      )
    })
  )
}
