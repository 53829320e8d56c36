import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { describe, expect, it } from '@jest/globals'
import { z } from 'zod'
import type { GateContext } from '../../../src/gates/gate-context.js'
import type { GateResult } from '../../../src/gates/gate-definition.js'
import { systemClock } from '../../../src/runtime/clock.js'
import { OperationalError } from '../../../src/runtime/errors.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import type { ConfiguredGate } from '../../../src/settings/gate-settings.js'
import { evaluateGates, type EvaluateOptions } from '../../../src/stages/gate/evaluate-gates.js'

function gate(
  name: string,
  run: (context: GateContext) => Promise<GateResult>,
  waitMs?: number
): ConfiguredGate {
  return {
    name,
    uses: name,
    settings: {},
    waitMs,
    definition: { name, description: name, settings: z.object({}), run: (_s, context) => run(context) }
  }
}

function options(overrides: Partial<EvaluateOptions> = {}): EvaluateOptions {
  const logger = new RecordingLogger()
  return {
    pending: 'fail',
    timeoutMs: 60_000,
    clock: systemClock,
    logger,
    signal: new AbortController().signal,
    pollIntervalMs: 10,
    contextFor: (_gate, signal) => ({ signal, logger }) as unknown as GateContext,
    newRound: () => undefined,
    ...overrides
  }
}

const passed = async (): Promise<GateResult> => ({ status: 'passed', summary: 'ok', evidence: [] })

describe('evaluateGates', () => {
  it('runs independent gates concurrently', async () => {
    const slow = () =>
      new Promise<GateResult>((resolve) =>
        setTimeout(() => resolve({ status: 'passed', summary: 'ok', evidence: [] }), 150)
      )
    const started = Date.now()
    const records = await evaluateGates(
      [gate('a', slow), gate('b', slow), gate('c', slow), gate('d', slow)],
      options()
    )
    expect(Date.now() - started).toBeLessThan(450)
    expect(records.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'passed'])
  })

  it('turns a thrown error into errored with its message, without stopping the other gates', async () => {
    const records = await evaluateGates(
      [
        gate('broken', async () => {
          throw new OperationalError('GitHub refused ... permissions:\n    checks: read')
        }),
        gate('fine', passed)
      ],
      options()
    )
    expect(records[0]).toMatchObject({
      status: 'errored',
      summary: 'GitHub refused ... permissions:\n    checks: read'
    })
    expect(records[1]!.status).toBe('passed')
  })

  it('bounds the stage by its timeout even when a gate ignores its signal', async () => {
    const started = Date.now()
    const records = await evaluateGates(
      [gate('hangs', () => new Promise<GateResult>(() => undefined)), gate('fine', passed)],
      options({ timeoutMs: 100 })
    )
    expect(Date.now() - started).toBeLessThan(1000)
    expect(records[0]).toMatchObject({
      status: 'errored',
      summary: 'did not finish: the gate stage timeout (100ms) passed'
    })
    expect(records[1]!.status).toBe('passed')
  })

  it('reports cancellation as such', async () => {
    const cancel = new AbortController()
    const pending = evaluateGates(
      [gate('hangs', () => new Promise<GateResult>(() => undefined))],
      options({ signal: cancel.signal })
    )
    cancel.abort(new Error('received SIGTERM'))
    expect((await pending)[0]).toMatchObject({ status: 'errored', summary: 'cancelled: received SIGTERM' })
  })

  it('errors a gate that returns no valid status', async () => {
    const records = await evaluateGates(
      [gate('odd', async () => ({ status: 'green' }) as unknown as GateResult)],
      options()
    )
    expect(records[0]).toMatchObject({
      status: 'errored',
      summary: 'the gate returned no valid status ("green")'
    })
  })

  it('re-runs only pending gates while waiting, with fresh reads each round', async () => {
    let calls = 0
    let rounds = 0
    const clock = new FastForwardClock()
    const records = await evaluateGates(
      [
        gate('flaky', async () => ({
          status: ++calls < 3 ? 'pending' : 'passed',
          summary: `call ${calls}`,
          evidence: []
        })),
        gate('fine', passed)
      ],
      options({ pending: 'wait', clock, pollIntervalMs: 1000, newRound: () => rounds++ })
    )
    expect(records.map((r) => [r.status, r.attempts])).toEqual([
      ['passed', 3],
      ['passed', 1]
    ])
    expect(rounds).toBe(2)
    expect(clock.sleeps).toEqual([1000, 1000])
  })

  it('does not wait when pending gates fail by policy', async () => {
    const clock = new FastForwardClock()
    const records = await evaluateGates(
      [gate('p', async () => ({ status: 'pending', summary: 'queued', evidence: [] }))],
      options({ clock })
    )
    expect(records[0]).toMatchObject({ status: 'pending', summary: 'queued', attempts: 1 })
    expect(clock.sleeps).toEqual([])
  })
})
