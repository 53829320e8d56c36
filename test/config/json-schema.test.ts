import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { generatedFiles, SCHEMA_PATH } from '../../scripts/generate-metadata.js'

describe('the JSON Schema editors use', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema)

  it('is what the zod schemas generate (committed file is fresh)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(generatedFiles().get(SCHEMA_PATH))
  })

  it('accepts the example config from the README', () => {
    const ok = validate(load(readFileSync('examples/promotion.yml', 'utf8')))
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
  })

  it('flags an unknown key and a wrong enum value as an editor would', () => {
    expect(validate({ environments: { a: { rolout: {} } } })).toBe(false)
    expect(validate({ environments: { a: { mode: 'helm' } } })).toBe(false)
  })
})
