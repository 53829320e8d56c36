/**
 * Generated names as Kubernetes makes them (k8s.io/apimachinery/pkg/util/rand): a 27-letter
 * alphabet without vowels or confusable characters, so `web-7d9c5b8f6-x2kqz` cannot spell words.
 */
import { createHash } from 'node:crypto'

const alphabet = 'bcdfghjklmnpqrstvwxz2456789'

/** Five random characters, as used by generateName and by ReplicaSet/DaemonSet pod names. */
export function randomSuffix(length = 5): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)]
  return out
}

/** rand.SafeEncodeString: maps each character onto the alphabet. */
export function safeEncode(text: string): string {
  let out = ''
  for (const char of text) out += alphabet[char.charCodeAt(0) % alphabet.length]
  return out
}

/** 32-bit FNV-1a, the hash the controllers use for pod-template-hash and revision names. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/** A name-safe hash of a value's canonical JSON, in the shape of controller.ComputeHash. */
export function templateHash(canonical: string, collisionCount = 0): string {
  const input = collisionCount > 0 ? `${canonical}#${collisionCount}` : canonical
  return safeEncode(String(fnv32a(input)))
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
