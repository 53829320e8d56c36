import { BlockList, isIP } from 'node:net'

/**
 * Which proxy, if any, a health probe to `url` goes through, read from the environment the way
 * curl and most HTTP clients read it: `https_proxy`/`HTTPS_PROXY` for https URLs,
 * `http_proxy`/`HTTP_PROXY` for http URLs, `no_proxy`/`NO_PROXY` for the hosts that bypass it.
 * The lowercase name wins when both are set (as in curl, Node and Go). A proxy without a scheme
 * is http://, as curl assumes. Self-hosted runners behind a proxy set these for every tool.
 *
 * The decision is ours, the transport is Node's (http-probe.ts): Node 24's own NO_PROXY matching
 * takes `example.com` to mean that host only, where curl, Go and Python also bypass its
 * subdomains, and it has no CIDR ranges, which runner fleets use for their private networks.
 */
export type ProxyChoice =
  | { kind: 'direct' }
  | { kind: 'proxy'; url: URL; variable: string }
  /** The variable is set but names no usable http(s) proxy: the probe cannot run as configured. */
  | { kind: 'invalid'; variable: string; reason: string }

export function proxyFor(url: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  const variable = names.find((name) => env[name]?.trim())
  if (!variable) return { kind: 'direct' }
  const noProxy = env['no_proxy'] ?? env['NO_PROXY'] ?? ''
  if (bypassesProxy(url, noProxy)) return { kind: 'direct' }
  let proxy: URL
  try {
    proxy = parseProxyUrl(env[variable]!)
  } catch {
    return { kind: 'invalid', variable, reason: `${variable} is not a valid proxy URL` }
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    return {
      kind: 'invalid',
      variable,
      reason: `${variable} names a ${proxy.protocol.slice(0, -1)} proxy; only http:// and https:// proxies are supported`
    }
  return { kind: 'proxy', url: proxy, variable }
}

/** A proxy variable's value as a URL; without a scheme it is http://, as curl assumes. */
function parseProxyUrl(value: string): URL {
  const text = value.trim()
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
}

/**
 * Whether NO_PROXY exempts `url`. Entries are separated by commas or spaces and compared without
 * case: `*` exempts every host; a domain (with or without a leading `.` or `*.`) exempts itself
 * and its subdomains; `host:port` only that port (the URL's default port counts); an IP address
 * (IPv6 with or without brackets) only itself, and a CIDR range every address in it. IP entries
 * match IP URLs only: nothing is resolved.
 */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const hostIp = isIP(host)
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    const { name, entryPort } = splitPort(entry)
    if (entryPort !== undefined && entryPort !== port) continue
    const cidr = /^(.+)\/(\d{1,3})$/.exec(name)
    if (cidr) {
      const [, network = '', bits = ''] = cidr
      if (hostIp && inRange(host, hostIp, network, Number(bits))) return true
      continue
    }
    if (isIP(name)) {
      if (hostIp && sameAddress(host, name)) return true
      continue
    }
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '')
    if (!domain || hostIp) continue
    if (host === domain || host.endsWith(`.${domain}`)) return true
  }
  return false
}

/** `host:port`, `[v6]:port`, `[v6]`, a bare IPv6 address (no port), or a name. */
function splitPort(entry: string): { name: string; entryPort?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed) return { name: bracketed[1]!, ...(bracketed[2] ? { entryPort: Number(bracketed[2]) } : {}) }
  if (isIP(entry) === 6 || (entry.includes('/') && entry.split(':').length > 2)) return { name: entry }
  const withPort = /^(.*):(\d+)$/.exec(entry)
  if (withPort) return { name: withPort[1]!, entryPort: Number(withPort[2]) }
  return { name: entry }
}

function sameAddress(host: string, entry: string): boolean {
  const list = new BlockList()
  const type = isIP(entry) === 6 ? 'ipv6' : 'ipv4'
  list.addAddress(entry, type)
  return list.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4')
}

function inRange(host: string, hostIp: number, network: string, bits: number): boolean {
  const family = isIP(network)
  if (!family || bits > (family === 6 ? 128 : 32)) return false
  const list = new BlockList()
  list.addSubnet(network, bits, family === 6 ? 'ipv6' : 'ipv4')
  return list.check(host, hostIp === 6 ? 'ipv6' : 'ipv4')
}

/** The proxy as it may be shown: scheme, host and port, never its user name or password. */
export function displayProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`
}

/** The proxy's password, as written in the variable and decoded, for redaction. */
export function proxySecrets(proxy: URL): string[] {
  if (!proxy.password) return []
  const secrets = new Set([proxy.password])
  try {
    secrets.add(decodeURIComponent(proxy.password))
  } catch {
    // A malformed escape is kept as written, which is redacted already.
  }
  return [...secrets].sort((a, b) => b.length - a.length)
}

/** Every proxy password in the environment, whichever request ends up using it. */
export function proxyPasswordsIn(env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>()
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const value = env[name]?.trim()
    if (!value) continue
    try {
      for (const secret of proxySecrets(parseProxyUrl(value))) secrets.add(secret)
    } catch {
      // Not a URL: proxyFor reports it without quoting it.
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length)
}
