/**
 * Orders strings by UTF-16 code units, as Go's `sort.Strings` and kubectl do.
 *
 * Used for the names and keys this action prints and sorts (Kubernetes names are ASCII):
 * the order does not depend on the runner's locale, and it does not load ICU's collator,
 * which `localeCompare` initialises on first use (~6 ms in a one-shot process).
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
