/** The repository an API call is about. */
export interface Repo {
  owner: string
  repo: string
}

/** Just owner and repo, whatever else the object carries: Octokit sends every key it is given as a parameter. */
export function pick(repo: Repo): Repo {
  return { owner: repo.owner, repo: repo.repo }
}
