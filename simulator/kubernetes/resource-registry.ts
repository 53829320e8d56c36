/**
 * The resource types one simulator serves: the built-in table plus the types its
 * CustomResourceDefinitions define. Per simulator (tests run many at once), so a CRD created in
 * one never shows up in another. Lookups are by path, by apiVersion/kind and by the loose names
 * tests use.
 */
import { apiVersionOf, builtinResourceTypes, qualifiedResource, type ResourceType } from './api-resources.js'

export class ResourceRegistry {
  private custom: ResourceType[] = []
  private everything: readonly ResourceType[] = builtinResourceTypes
  private changes = 0

  /** Bumped whenever the served set changes, so callers can cache derived lists. */
  get revision(): number {
    return this.changes
  }

  all(): readonly ResourceType[] {
    return this.everything
  }

  /** Serves (or re-serves, after a CRD update) the versions of one CRD. */
  setCustom(crdName: string, types: ResourceType[]): void {
    this.custom = [...this.custom.filter((t) => t.custom?.crdName !== crdName), ...types]
    this.refresh()
  }

  removeCustom(crdName: string): void {
    this.custom = this.custom.filter((t) => t.custom?.crdName !== crdName)
    this.refresh()
  }

  findByPath(group: string, version: string, resource: string): ResourceType | undefined {
    return this.everything.find((t) => t.group === group && t.version === version && t.resource === resource)
  }

  findByApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.everything.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind)
  }

  /** A type of the given group and resource in any served version (the first one listed). */
  findByGroupResource(group: string, resource: string): ResourceType | undefined {
    return this.everything.find((t) => t.group === group && t.resource === resource)
  }

  /** The core type stored under `storageKey` (events.k8s.io Events are stored as core Events). */
  byStorageKey(storageKey: string): ResourceType | undefined {
    return this.everything.find((t) => t.storageKey === storageKey)
  }

  /**
   * Resolves the loose names tests use: `deployments`, `deploy`, `Deployment`,
   * `deployments.apps`, `apps/v1/deployments`, `apps/v1/Deployment`, `v1/pods`,
   * `events.events.k8s.io`, `applications.argoproj.io`. A bare `events` or `Event` means the core
   * v1 type.
   */
  resolve(reference: string): ResourceType {
    const parts = reference.split('/')
    let candidates: ResourceType[]
    if (parts.length >= 2) {
      const name = parts[parts.length - 1]!
      const apiVersion = parts.slice(0, -1).join('/')
      candidates = this.everything.filter(
        (t) => apiVersionOf(t) === apiVersion && (t.resource === name || t.kind === name)
      )
    } else {
      const name = reference
      candidates = this.everything.filter(
        (t) =>
          t.resource === name ||
          t.kind === name ||
          t.singular === name ||
          (t.shortNames ?? []).includes(name) ||
          qualifiedResource(t) === name
      )
    }
    const chosen = candidates.find((t) => t.group === '') ?? candidates[0]
    if (!chosen) throw new Error(`The Kubernetes simulator does not serve a resource called "${reference}"`)
    return chosen
  }

  private refresh(): void {
    this.everything = [...builtinResourceTypes, ...this.custom]
    this.changes++
  }
}
