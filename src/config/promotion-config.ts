import type { ResolvedEnvironment } from './schema.js'

/** A validated promotion config file: every environment layered and resolved. */
export interface PromotionConfig {
  file: string
  /** Environments in promotion order: each after the one it promotes from. */
  order: string[]
  environments: ReadonlyMap<string, ResolvedEnvironment>
}
