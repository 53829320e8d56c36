/**
 * What decoding a request into the apiserver's Go structs does to field values, and the 400
 * BadRequest it answers when that fails (`Secret in version "v1" cannot be handled as a Secret:
 * illegal base64 data at input byte 3`): Secret data is base64 (decoded leniently like Go's
 * encoding/base64 and written back canonically, stringData folded in), ConfigMap data holds
 * strings, resource quantities are re-written in canonical form, Lease times are MicroTime.
 */
import { badRequest } from './api-errors.js'
import type { ResourceType } from './api-resources.js'
import { isJsonObject } from './json-values.js'
import type { KubeObject } from './kube-types.js'
import { canonicalQuantity, QuantityError } from './quantity.js'
import { normalizeMicroTime } from './time-format.js'

class DecodeError extends Error {}

/** Rewrites `object` in place into what the apiserver would store; throws 400 when it cannot. */
export function normalizeWireFields(type: ResourceType, object: KubeObject): void {
  try {
    switch (type.storageKey) {
      case 'core/secrets':
        decodeSecret(object)
        break
      case 'core/configmaps':
        decodeConfigMap(object)
        break
      case 'core/pods':
        canonicalPodQuantities(object['spec'])
        break
      case 'apps/deployments':
      case 'apps/replicasets':
      case 'apps/statefulsets':
      case 'apps/daemonsets':
        canonicalPodQuantities(templateSpec(object))
        break
      case 'core/resourcequotas':
        canonicalQuotaQuantities(object)
        break
      case 'coordination.k8s.io/leases':
        decodeLease(object)
        break
    }
  } catch (error) {
    if (!(error instanceof DecodeError || error instanceof QuantityError)) throw error
    throw badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${error.message}`
    )
  }
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

function unmarshalError(value: unknown, field: string, goType: string): DecodeError {
  return new DecodeError(
    `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${field} of type ${goType}`
  )
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const decodeMap = new Map([...alphabet].map((c, i) => [c.charCodeAt(0), i]))
const newline = (byte: number | undefined) => byte === 0x0a || byte === 0x0d

/**
 * Go's base64.StdEncoding.Decode (not strict: trailing bits are ignored, \r and \n skipped);
 * returns the bytes, or the offset Go's CorruptInputError reports.
 */
export function decodeBase64LikeGo(text: string): Buffer | { illegalAt: number } {
  const src = Buffer.from(text, 'utf8')
  const out: number[] = []
  let si = 0
  while (si < src.length) {
    const quantum: number[] = []
    let length = 4
    let trailingGarbage: number | undefined
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 0) return Buffer.from(out)
        return { illegalAt: si - quantum.length }
      }
      const byte = src[si]!
      si++
      const value = decodeMap.get(byte)
      if (value !== undefined) {
        quantum.push(value)
        continue
      }
      if (newline(byte)) continue
      if (byte !== 0x3d) return { illegalAt: si - 1 }
      // Padding: "=" after two or three characters ends the input.
      if (quantum.length < 2) return { illegalAt: si - 1 }
      if (quantum.length === 2) {
        while (si < src.length && newline(src[si])) si++
        if (si === src.length) return { illegalAt: src.length }
        if (src[si] !== 0x3d) return { illegalAt: si - 1 }
        si++
      }
      while (si < src.length && newline(src[si])) si++
      if (si < src.length) trailingGarbage = si
      length = quantum.length
      while (quantum.length < 4) quantum.push(0)
    }
    const bits = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!
    const bytes = [(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff]
    out.push(...bytes.slice(0, length - 1))
    if (trailingGarbage !== undefined) return { illegalAt: trailingGarbage }
  }
  return Buffer.from(out)
}

function decodeSecret(object: KubeObject): void {
  const data = object['data']
  if (data !== undefined && data !== null && !isJsonObject(data)) {
    throw unmarshalError(data, 'Secret.data', 'map[string][]uint8')
  }
  const decoded: Record<string, string> = {}
  for (const [key, value] of Object.entries(data ?? {})) {
    if (typeof value !== 'string') throw unmarshalError(value, 'Secret.data', '[]uint8')
    const bytes = decodeBase64LikeGo(value)
    if (!Buffer.isBuffer(bytes)) throw new DecodeError(`illegal base64 data at input byte ${bytes.illegalAt}`)
    decoded[key] = bytes.toString('base64')
  }
  const stringData = object['stringData']
  if (stringData !== undefined && stringData !== null && !isJsonObject(stringData)) {
    throw unmarshalError(stringData, 'Secret.stringData', 'map[string]string')
  }
  // The write API's stringData is folded into data (winning on conflicts) and never stored.
  for (const [key, value] of Object.entries(stringData ?? {})) {
    if (typeof value !== 'string') throw unmarshalError(value, 'Secret.stringData', 'string')
    decoded[key] = Buffer.from(value, 'utf8').toString('base64')
  }
  delete object['stringData']
  if (Object.keys(decoded).length > 0) object['data'] = decoded
  else delete object['data']
}

function decodeConfigMap(object: KubeObject): void {
  const data = object['data']
  if (data !== undefined && data !== null && !isJsonObject(data)) {
    throw unmarshalError(data, 'ConfigMap.data', 'map[string]string')
  }
  for (const value of Object.values(data ?? {})) {
    if (typeof value !== 'string') throw unmarshalError(value, 'ConfigMap.data', 'string')
  }
  const binary = object['binaryData']
  if (binary !== undefined && binary !== null && !isJsonObject(binary)) {
    throw unmarshalError(binary, 'ConfigMap.binaryData', 'map[string][]uint8')
  }
  for (const [key, value] of Object.entries(binary ?? {})) {
    if (typeof value !== 'string') throw unmarshalError(value, 'ConfigMap.binaryData', '[]uint8')
    const bytes = decodeBase64LikeGo(value)
    if (!Buffer.isBuffer(bytes)) throw new DecodeError(`illegal base64 data at input byte ${bytes.illegalAt}`)
    ;(binary as Record<string, string>)[key] = bytes.toString('base64')
  }
}

function templateSpec(object: KubeObject): unknown {
  const spec = object['spec']
  const template = isJsonObject(spec) ? spec['template'] : undefined
  return isJsonObject(template) ? template['spec'] : undefined
}

function canonicalList(list: unknown): void {
  if (!isJsonObject(list)) return
  for (const [name, value] of Object.entries(list)) {
    if (typeof value === 'string' || typeof value === 'number') list[name] = canonicalQuantity(value)
  }
}

function canonicalPodQuantities(spec: unknown): void {
  if (!isJsonObject(spec)) return
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = spec[key]
    if (!Array.isArray(containers)) continue
    for (const container of containers) {
      const resources = isJsonObject(container) ? container['resources'] : undefined
      if (!isJsonObject(resources)) continue
      canonicalList(resources['requests'])
      canonicalList(resources['limits'])
    }
  }
  canonicalList(spec['overhead'])
}

function canonicalQuotaQuantities(object: KubeObject): void {
  const spec = object['spec']
  if (isJsonObject(spec)) canonicalList(spec['hard'])
  const status = object['status']
  if (isJsonObject(status)) {
    canonicalList(status['hard'])
    canonicalList(status['used'])
  }
}

function decodeLease(object: KubeObject): void {
  const spec = object['spec'] as Record<string, unknown> | undefined
  for (const field of ['acquireTime', 'renewTime']) {
    const value = spec?.[field]
    if (value === undefined || value === null) continue
    const normalized = typeof value === 'string' ? normalizeMicroTime(value) : undefined
    if (!normalized) {
      throw new DecodeError(
        `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as MicroTime (six fractional digits required)`
      )
    }
    spec![field] = normalized
  }
}
