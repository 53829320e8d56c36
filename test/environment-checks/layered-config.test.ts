import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  checkLayeredConfig,
  compareConfigShapes,
  keyPaths,
  missingRequiredKeys,
  parseConfigText
} from '../../src/environment-checks/layered-config.js'
import { OperationalError } from '../../src/runtime/errors.js'

const FIXTURES = join(import.meta.dirname, '../fixtures/environment-checks/layered')
const read = (name: string) => parseConfigText(readFileSync(join(FIXTURES, name), 'utf8'), name)

const BASE = read('base-config.yaml')
const REQUIRED = ['app.name', 'app.port', 'app.log_level', 'app.cors_origins']

describe('checkLayeredConfig', () => {
  it("merges the seed's layers key by key, lists replaced, and finds the shapes equal", () => {
    const report = checkLayeredConfig(
      BASE,
      { staging: read('staging.yaml'), production: read('production.yaml') },
      REQUIRED
    )
    expect(report.merged.production).toEqual({
      app: {
        name: 'my-app',
        port: 8080,
        log_format: 'json',
        cors_origins: ['https://app.example.com'],
        rate_limit_rpm: 10000,
        log_level: 'warn'
      }
    })
    expect(report.differences).toEqual([])
    expect(report.missingRequired).toEqual([])
  })

  it('names the key paths one environment has and another lacks', () => {
    const report = checkLayeredConfig(
      BASE,
      { staging: read('staging.yaml'), production: read('production-drifted.yaml') },
      REQUIRED
    )
    expect(report.differences).toEqual([
      { path: 'app.log_level', presentIn: ['staging'], missingIn: ['production'] },
      { path: 'app.database.pool_size', presentIn: ['production'], missingIn: ['staging'] }
    ])
    expect(report.missingRequired).toEqual([
      { environment: 'production', path: 'app.log_level', problem: 'missing' }
    ])
  })

  it('reports a required key that is only in the base when an environment empties it', () => {
    const merged = {
      staging: { app: { name: 'my-app', log_level: null } },
      production: { app: { name: '' } }
    }
    expect(missingRequiredKeys(merged, ['app.name', ['app', 'log_level']])).toEqual([
      { environment: 'production', path: 'app.name', problem: 'empty' },
      { environment: 'staging', path: 'app.log_level', problem: 'empty' },
      { environment: 'production', path: 'app.log_level', problem: 'missing' }
    ])
  })

  it('sees a value that became an object in one environment as different paths', () => {
    expect(
      compareConfigShapes({ staging: { db: 'postgres://db' }, production: { db: { host: 'db' } } })
    ).toEqual([
      { path: 'db', presentIn: ['staging'], missingIn: ['production'] },
      { path: 'db.host', presentIn: ['production'], missingIn: ['staging'] }
    ])
  })
})

describe('keyPaths', () => {
  it('treats lists and empty objects as values and quotes keys with dots', () => {
    expect(keyPaths({ a: { b: [1, 2], c: {} }, 'x.y': 1 })).toEqual(['a.b', 'a.c', '["x.y"]'])
  })
})

describe('parseConfigText', () => {
  it('reads an empty file as an empty object and refuses broken YAML naming the file', () => {
    expect(parseConfigText('', 'empty.yaml')).toEqual({})
    expect(() => parseConfigText('app: [unclosed', 'broken.yaml')).toThrow(OperationalError)
    expect(() => parseConfigText('app: [unclosed', 'broken.yaml')).toThrow(/^broken\.yaml is not valid YAML/)
  })
})
