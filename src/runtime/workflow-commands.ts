/**
 * The runner's stdout protocol: `::command key=value,…::message` lines, escaped the way
 * the runner unescapes them. Same bytes as @actions/core's command.js (proved by
 * test/runtime/runner-protocol.conformance.test.ts), without importing @actions/core,
 * whose index loads its OIDC client (@actions/http-client and undici, ~900 KiB) at
 * start-up. See docs/upstream-notes.md, "Why the runner protocol is ours".
 */
import { EOL } from 'node:os'

export type CommandProperties = Record<string, string | number | undefined>

export type Write = (text: string) => void

const stdout: Write = (text) => {
  process.stdout.write(text)
}

/** Any value as the runner expects it: strings as they are, nothing as '', the rest as JSON. */
export function toCommandValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string' || value instanceof String) return String(value)
  return JSON.stringify(value)
}

function escapeData(value: unknown): string {
  return toCommandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(value: unknown): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** One workflow command line, without the line ending. Empty properties are left out. */
export function formatCommand(command: string, properties: CommandProperties, message: unknown): string {
  const pairs = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '' && value !== 0)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
  return `::${command}${pairs.length ? ` ${pairs.join(',')}` : ''}::${escapeData(message)}`
}

export function issueCommand(
  command: string,
  properties: CommandProperties = {},
  message: unknown = '',
  write: Write = stdout
): void {
  write(formatCommand(command, properties, message) + EOL)
}
