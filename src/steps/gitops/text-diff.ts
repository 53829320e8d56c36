/**
 * A line diff of two small texts (a kustomization file), `-`/`+`/` ` prefixed, for dry-run
 * logs and summaries. Longest common subsequence: the files are tens of lines.
 */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n')
  const b = after.split('\n')
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const lines: string[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i]}`)
      i++
      j++
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!))
      lines.push(`+ ${b[j++]}`)
    else lines.push(`- ${a[i++]}`)
  }
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop()
  return lines.join('\n')
}
