import type { HttpCheck } from './http-check.js'

/** Values of the check's secret headers, longest first so a secret containing another is replaced whole. */
export function secretValues(check: Pick<HttpCheck, 'headers' | 'secretHeaders'>): string[] {
  const secretNames = new Set(check.secretHeaders.map((n) => n.toLowerCase()))
  return Object.entries(check.headers)
    .filter(([name, value]) => secretNames.has(name.toLowerCase()) && value.length > 0)
    .map(([, value]) => value)
    .sort((a, b) => b.length - a.length)
}

/**
 * Replaces every secret in `text` with ***. Applied to anything derived from the server's answer
 * too, because an endpoint may echo request headers back in its body or an error.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join('***')
  return out
}

/** The URL without a password in its user-info part, for logs and results. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.href
  } catch {
    return url
  }
}
