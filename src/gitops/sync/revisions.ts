/**
 * The revisions GitOps engines report, and whether one contains the promotion's commit.
 *
 * Argo CD writes the commit sha itself (`status.sync.revision`). Flux 2.x writes
 * `<branch>@sha1:<commit>` (also `<tag>@sha1:`, `sha1:<commit>`, and the plain sha of older
 * releases). A HelmRelease reports a chart version, which names a commit only for a chart built
 * from a GitRepository with `reconcileStrategy: Revision`: `<version>+<first 12 hex of the
 * commit>` (source-controller, with `.<generation>` appended when values files are set).
 * Anything else (a chart version from a Helm repository, an OCI digest) names no commit.
 */

const FULL_SHA = /^[0-9a-f]{40}$/i
const FLUX_SHA = /(?:^|@)sha1:([0-9a-f]{40})$/i
const CHART_METADATA = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\+([0-9a-f]{12})(?:\.\d+)?$/i

/** The commit (full sha, or the 12-character prefix a chart version carries) a revision names; undefined when it names none. */
export function commitOfRevision(revision: string): string | undefined {
  const text = revision.trim()
  if (FULL_SHA.test(text)) return text.toLowerCase()
  const flux = FLUX_SHA.exec(text)
  if (flux) return flux[1]!.toLowerCase()
  const chart = CHART_METADATA.exec(text)
  return chart ? chart[1]!.toLowerCase() : undefined
}

/** `1a2b3c4`, or the revision as written when it names no commit. */
export function shortRevision(revision: string): string {
  const commit = commitOfRevision(revision)
  return commit ? commit.slice(0, 7) : revision
}

/**
 * What is known about "does this revision contain the commit": `yes`, `no`, or `unknown` (a
 * different commit whose ancestry has not been asked yet; the waiter asks GitHub).
 */
export type Containment = 'yes' | 'no' | 'unknown'

/** Answers learned so far, by the revision's commit (the waiter fills it from the compare API). */
export type KnownAncestry = (revisionCommit: string) => boolean | undefined

export function containment(revision: string | undefined, commit: string, known: KnownAncestry): Containment {
  if (!revision) return 'no'
  const named = commitOfRevision(revision)
  if (named === undefined) return 'no'
  const wanted = commit.toLowerCase()
  if (wanted.startsWith(named) || named.startsWith(wanted)) return 'yes'
  const answer = known(named)
  return answer === undefined ? 'unknown' : answer ? 'yes' : 'no'
}

/** The best of several revisions (multi-source apps: one of them is the manifests repository's). */
export function anyContains(
  revisions: ReadonlyArray<string | undefined>,
  commit: string,
  known: KnownAncestry
): Containment {
  let result: Containment = 'no'
  for (const revision of revisions) {
    const one = containment(revision, commit, known)
    if (one === 'yes') return 'yes'
    if (one === 'unknown') result = 'unknown'
  }
  return result
}

/** The commits among these revisions whose ancestry is still unknown (what to ask GitHub). */
export function unknownCommits(
  revisions: ReadonlyArray<string | undefined>,
  commit: string,
  known: KnownAncestry
): string[] {
  const out = new Set<string>()
  for (const revision of revisions)
    if (revision && containment(revision, commit, known) === 'unknown') out.add(commitOfRevision(revision)!)
  return [...out]
}
