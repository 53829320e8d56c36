/**
 * Byte-for-byte cases: each test/fixtures/gitops-edit/<case>/ holds before.yaml, case.json
 * (behaviour, spec, image, and the expected changes or error) and, unless the edit is refused,
 * after.yaml. The files are written byte-exact (.gitattributes there: -text), CRLF and BOM included.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { editManifest, type FieldChange, type ImageTarget } from '../../../src/gitops/edit/edit-manifest.js'
import { manifestEditSpec } from '../../../src/config/manifest-edit-spec.js'
import type { OperationalError } from '../../../src/runtime/errors.js'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'gitops-edit')

interface Case {
  behaviour: string
  spec: unknown
  image: ImageTarget
  changes?: FieldChange[]
  previous?: string | null
  error?: { name: string; title?: string; message: string[] }
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const dir = join(FIXTURES, entry.name)
    const read = (file: string) => readFileSync(join(dir, file))
    return {
      name: entry.name,
      spec: JSON.parse(read('case.json').toString('utf8')) as Case,
      before: read('before.yaml'),
      after: existsSync(join(dir, 'after.yaml')) ? read('after.yaml') : undefined
    }
  })

describe('editManifest on fixture files', () => {
  it('finds the fixture cases', () => {
    expect(cases.length).toBeGreaterThan(30)
  })

  for (const { name, spec: c, before, after } of cases) {
    it(`${c.behaviour} (${name})`, () => {
      const spec = manifestEditSpec.parse(c.spec)
      const text = before.toString('utf8')
      if (c.error) {
        let thrown: unknown
        try {
          editManifest(text, spec, c.image)
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeInstanceOf(Error)
        expect((thrown as Error).name).toBe(c.error.name)
        if (c.error.title) expect((thrown as OperationalError).details.title).toBe(c.error.title)
        for (const part of c.error.message) expect((thrown as Error).message).toContain(part)
        return
      }
      const result = editManifest(text, spec, c.image)
      expect(result.content).toBe(after!.toString('utf8')) // shows where, on a mismatch
      expect(Buffer.from(result.content, 'utf8').equals(after!)).toBe(true)
      if (c.changes) expect(result.changes).toEqual(c.changes)
      if (c.previous !== undefined) expect(result.previous).toBe(c.previous ?? undefined)
      expect(result.changed).toBe(!before.equals(after!))
      if (!result.changed) expect(result.content).toBe(text)
    })
  }
})
