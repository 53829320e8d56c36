import {
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node
} from 'yaml'
import { table } from '../runtime/markdown.js'
import { TOKEN_PATTERNS } from './secret-patterns.js'

/**
 * Plaintext secrets in committed files (manifests, config files, any text). Findings name the
 * file, line, rule and, where there is one, the key: never the value, nor any part of it.
 *
 * Rules:
 * - `kubernetes-secret`: a `kind: Secret` document (multi-document YAML) with entries in
 *   `data` or `stringData`; one finding per key. Such a Secret belongs in a secret store
 *   (External Secrets, Sealed Secrets, SOPS), not in Git.
 * - token rules (secret-patterns.ts): credentials recognisable by their format.
 * - `credentials-in-url`: `scheme://user:password@host` with a literal password.
 * - `secret-assignment`: a value under a secret-like key (the key's last word is password,
 *   passwd, pwd, pass, passphrase, secret or token, or it ends in api/access/secret/private/
 *   client/signing/encryption/master + key, or client secret, or credential(s)) whose Shannon
 *   entropy is at least the threshold (default 3.0 bits per character) and that is at least
 *   `minLength` (default 8) long. Keys such as `secretName`, `secretKeyRef` or `tokenUrl` end
 *   in another word and are not secret-like. YAML env entries (`- name: API_KEY` /
 *   `value: ...`) count under the variable's name. Skipped as placeholders: `${{ secrets.X }}`,
 *   `${VAR}`, `$VAR`, `$(VAR)`, `{{ ... }}`, `<...>`, `changeme`, `xxx...`, `***`, `REPLACE_ME`,
 *   `your-...`, empty values; also UPPER_SNAKE names (an ExternalSecret's
 *   `secretKey: DATABASE_URL`) and letters-only words joined by - / . _ (store paths such as
 *   `production/my-app/api-key`), at the cost of missing a passphrase written that way.
 *
 * A line with a token finding gets no `secret-assignment` finding too, nor does a line inside
 * a committed Secret. YAML that does not parse (Helm templates) is scanned line by line only.
 *
 * Allow-list: by `path` glob (`**` crosses folders, `*` and `?` do not) with an optional
 * `rule`, by `rule` alone, or by `fingerprint` `file:rule:line` (gitleaks' form without a
 * commit), which depends on where the finding is and not on the value.
 */

export interface ScannedFile {
  path: string
  text: string
}

export interface SecretFinding {
  file: string
  /** 1-based. */
  line: number
  rule: string
  /** The key the value sits under, when there is one (a Secret's data key, a variable name). */
  key?: string
  /** `file:rule:line`, for the allow-list. */
  fingerprint: string
  description: string
}

export interface SecretAllowEntry {
  /** A glob over the file path. */
  path?: string
  rule?: string
  /** `file:rule:line`. */
  fingerprint?: string
}

export interface SecretScanOptions {
  allow?: SecretAllowEntry[]
  /** Bits per character a value under a secret-like key must reach (default 3.0). */
  entropyThreshold?: number
  /** Shortest value under a secret-like key that is judged (default 8). */
  minLength?: number
}

export const DEFAULT_ENTROPY_THRESHOLD = 3.0
export const DEFAULT_MIN_SECRET_LENGTH = 8

const DESCRIPTIONS: Record<string, string> = {
  'kubernetes-secret': 'Kubernetes Secret with data committed in plain text (base64 is not encryption)',
  'credentials-in-url': 'password in a URL',
  'secret-assignment': 'high-entropy value under a secret-like key',
  ...Object.fromEntries(TOKEN_PATTERNS.map((p) => [p.rule, p.description]))
}

export function scanForSecrets(files: ScannedFile[], options: SecretScanOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = []
  for (const file of files) findings.push(...scanFile(file, options))
  return findings.filter((finding) => !(options.allow ?? []).some((entry) => allows(entry, finding)))
}

function scanFile(file: ScannedFile, options: SecretScanOptions): SecretFinding[] {
  const raw: Omit<SecretFinding, 'fingerprint' | 'description'>[] = []
  const lines = file.text.split(/\r?\n/)
  const threshold = options.entropyThreshold ?? DEFAULT_ENTROPY_THRESHOLD
  const minLength = options.minLength ?? DEFAULT_MIN_SECRET_LENGTH
  const judge = (value: string) => looksSecret(value, threshold, minLength)

  lines.forEach((text, index) => {
    const line = index + 1
    for (const { rule, pattern, ignore } of TOKEN_PATTERNS)
      for (const match of text.matchAll(pattern))
        if (!ignore?.(match[0])) raw.push({ file: file.path, line, rule })
    for (const match of text.matchAll(URL_CREDENTIALS))
      if (!isPlaceholder(decodeURIComponentSafe(match[1]!)))
        raw.push({ file: file.path, line, rule: 'credentials-in-url' })
    const assignment = ASSIGNMENT.exec(text)
    if (assignment && isSecretLikeKey(assignment[1]!) && judge(unquote(assignment[2]!)))
      raw.push({ file: file.path, line, rule: 'secret-assignment', key: assignment[1]! })
  })

  const secretLines = new Set<number>()
  if (/\.(ya?ml|json)$/i.test(file.path) || /^\s*(apiVersion|kind):/m.test(file.text))
    for (const finding of scanYaml(file, judge, secretLines)) raw.push(finding)

  const tokenLines = new Set(
    raw.filter((f) => f.rule !== 'secret-assignment' && f.rule !== 'kubernetes-secret').map((f) => f.line)
  )
  const seen = new Set<string>()
  const out: SecretFinding[] = []
  for (const finding of raw) {
    if (
      finding.rule === 'secret-assignment' &&
      (tokenLines.has(finding.line) || secretLines.has(finding.line))
    )
      continue
    const fingerprint = `${finding.file}:${finding.rule}:${finding.line}`
    if (seen.has(fingerprint)) continue
    seen.add(fingerprint)
    out.push({ ...finding, fingerprint, description: DESCRIPTIONS[finding.rule] ?? finding.rule })
  }
  return out.sort((a, b) => a.line - b.line)
}

/** Structured YAML checks: committed Secrets and env entries (`name:` + `value:`). */
function scanYaml(
  file: ScannedFile,
  judge: (value: string) => boolean,
  secretLines: Set<number>
): Omit<SecretFinding, 'fingerprint' | 'description'>[] {
  const lineCounter = new LineCounter()
  let documents: Document.Parsed[]
  try {
    documents = parseAllDocuments(file.text, { lineCounter }) as Document.Parsed[]
  } catch {
    return []
  }
  if (!Array.isArray(documents)) return []
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 0
  const found: Omit<SecretFinding, 'fingerprint' | 'description'>[] = []
  for (const doc of documents) {
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue
    const root = doc.contents
    if (String(root.get('kind')) === 'Secret') {
      const first = lineOf(root)
      const last = root.range ? lineCounter.linePos(root.range[2]).line : first
      for (let l = first; l <= last; l++) secretLines.add(l)
      for (const field of ['data', 'stringData']) {
        const data = root.get(field, true)
        if (!isMap(data)) continue
        for (const pair of data.items) {
          const value = isScalar(pair.value) ? String(pair.value.value ?? '') : ''
          if (isPlaceholder(value)) continue
          found.push({
            file: file.path,
            line: lineOf(pair.key as Node),
            rule: 'kubernetes-secret',
            key: String(isScalar(pair.key) ? pair.key.value : pair.key)
          })
        }
      }
    }
    visit(doc, {
      Map(_, map) {
        const name = map.get('name')
        const value = map.get('value', true)
        if (typeof name !== 'string' || !isScalar(value) || typeof value.value !== 'string') return
        if (isSecretLikeKey(name) && judge(value.value))
          found.push({ file: file.path, line: lineOf(value), rule: 'secret-assignment', key: name })
      },
      Pair(_, pair) {
        if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return
        const key = String(pair.key.value)
        const value = pair.value.value
        // Multi-line scalars are judged by the line scan, which sees their lines one by one.
        if (typeof value === 'string' && !value.includes('\n') && isSecretLikeKey(key) && judge(value))
          found.push({ file: file.path, line: lineOf(pair.value), rule: 'secret-assignment', key })
      }
    })
  }
  return found
}

// `key: value`, `key = value`, `"key": "value",`, `export KEY=value`; the value runs to a comment.
const ASSIGNMENT =
  /^\s*(?:-\s+)?(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*(?:\s#.*)?$/
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:([^\s@/'"]+)@[^\s'"]/gi

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'apikey'
])
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'client',
  'signing',
  'encryption',
  'master'
])

/** Whether a key name says its value is a credential (see the rules above). */
export function isSecretLikeKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  const last = words.at(-1)
  const before = words.at(-2)
  if (last === undefined) return false
  if (SECRET_WORDS.has(last)) return true
  return last === 'key' && before !== undefined && KEY_QUALIFIERS.has(before)
}

function looksSecret(value: string, threshold: number, minLength: number): boolean {
  if (value.length < minLength || isPlaceholder(value)) return false
  if (/^[A-Z][A-Z0-9_]*$/.test(value)) return false
  if (/^[a-z]+(?:[-/._][a-z]+)*$/.test(value)) return false
  if (/^(?:https?|file):\/\/[^@\s]*$/.test(value)) return false
  if (/^(?:true|false|null|yes|no|on|off|\d+(?:\.\d+)?)$/i.test(value)) return false
  return shannonEntropy(value) >= threshold
}

const PLACEHOLDER_WORDS =
  /^(?:changeme|change[-_]?me|replace[-_]?me|password|secret|token|example|dummy|placeholder|redacted|todo|tbd|none|null|undefined|your[-_].*|xx+|\*+|\.\.\.+|-+)$/i

/** Values that stand for a secret without being one (templates, references, dummies). */
export function isPlaceholder(value: string): boolean {
  const v = unquote(value.trim())
  if (v === '' || v === '~') return true
  if (/\$\{\{.*\}\}/.test(v) || /\{\{.*\}\}/.test(v)) return true
  if (/^\$\{[^}]*\}$/.test(v) || /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v) || /^\$\([^)]*\)$/.test(v)) return true
  if (/^<[^>]*>$/.test(v)) return true
  if (/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}/.test(v)) return true
  return PLACEHOLDER_WORDS.test(v)
}

/** Shannon entropy of the characters of `text`, in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0
  const counts = new Map<string, number>()
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  const length = [...text].length
  let entropy = 0
  for (const count of counts.values()) {
    const p = count / length
    entropy -= p * Math.log2(p)
  }
  return entropy
}

function unquote(value: string): string {
  const v = value.trim()
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))))
    return v.slice(1, -1)
  return v
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function allows(entry: SecretAllowEntry, finding: SecretFinding): boolean {
  if (entry.fingerprint !== undefined) return entry.fingerprint === finding.fingerprint
  if (entry.path === undefined && entry.rule === undefined) return false
  if (entry.rule !== undefined && entry.rule !== finding.rule) return false
  return entry.path === undefined || globMatches(entry.path, finding.file)
}

/** `**` matches across `/`, `*` and `?` within one path segment. */
export function globMatches(glob: string, path: string): boolean {
  let body = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/'
      body += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (ch === '*') body += '[^/]*'
    else if (ch === '?') body += '[^/]'
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${body}$`).test(path)
}

/** One line per finding, e.g. `k8s/secret.yaml:7: kubernetes-secret (key password): Kubernetes Secret ...`. */
export function secretFindingMessage(finding: SecretFinding): string {
  return `${finding.file}:${finding.line}: ${finding.rule}${finding.key ? ` (key ${finding.key})` : ''}: ${finding.description}`
}

export function secretFindingsMarkdown(findings: SecretFinding[]): string {
  if (findings.length === 0) return 'No plaintext secrets found.'
  return table(
    ['File', 'Line', 'Rule', 'Key', 'Fingerprint'],
    findings.map((f) => [f.file, String(f.line), f.rule, f.key ?? '', f.fingerprint])
  )
}
