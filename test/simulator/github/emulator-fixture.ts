import { afterEach, beforeEach } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { execFileSync } from 'node:child_process'
import {
  startGitHubEmulator,
  type GitHubEmulator,
  type GitHubEmulatorOptions
} from '../../../simulator/github/index.js'

export type Octokit = ReturnType<typeof getOctokit>

/**
 * A fresh emulator and a real Octokit (the one the action uses) pointed at it for each test.
 * After each test any OpenAPI mismatch the emulator saw fails that test.
 */
export function useGitHubEmulator(options: GitHubEmulatorOptions = {}): {
  github: GitHubEmulator
  octokit: Octokit
} {
  const fixture = {} as { github: GitHubEmulator; octokit: Octokit }
  beforeEach(async () => {
    fixture.github = await startGitHubEmulator(options)
    fixture.octokit = getOctokit(fixture.github.token, { baseUrl: fixture.github.url })
  })
  afterEach(async () => {
    try {
      fixture.github.assertNoViolations()
    } finally {
      await fixture.github.close()
    }
  })
  return fixture
}

export const SHA_A = 'a'.repeat(40)
export const SHA_B = 'b'.repeat(40)

/** Runs real git on the emulator's bare repository and returns its output without the final newline. */
export function git(github: GitHubEmulator, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', github.gitDir, ...args], {
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
  })
    .toString()
    .replace(/\n$/, '')
}
