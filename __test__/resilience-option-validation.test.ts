import { describe, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>

function constructionError(options: ClientOptions): unknown {
  try {
    new Client(options)
  } catch (error) {
    return error
  }
  throw new Error('expected new Client() to throw')
}

describe('invalid resilience options throw InvalidArgumentError naming the option', () => {
  const cases: Array<[name: string, options: ClientOptions]> = [
    ['circuitBreaker', { circuitBreaker: true as never }],
    ['circuitBreaker.failureThreshold', { circuitBreaker: { failureThreshold: 0 } }],
    ['circuitBreaker.failureRateThreshold', { circuitBreaker: { failureRateThreshold: 1.5 } }],
    ['circuitBreaker.failureRateThreshold', { circuitBreaker: { failureRateThreshold: 0 } }],
    ['circuitBreaker.windowSize', { circuitBreaker: { windowSize: 0 } }],
    ['circuitBreaker.minimumCalls', { circuitBreaker: { minimumCalls: -1 } }],
    ['circuitBreaker.recoveryTimeout', { circuitBreaker: { recoveryTimeout: -1 } }],
    ['circuitBreaker.halfOpenMaxProbes', { circuitBreaker: { halfOpenMaxProbes: 0 } }],
    ['circuitBreaker.successThreshold', { circuitBreaker: { successThreshold: 1.5 } }],
    ['circuitBreaker.isFailure', { circuitBreaker: { isFailure: 'yes' as never } }],
    ['circuitBreaker.now', { circuitBreaker: { now: 5 as never } }],
    ['circuitBreaker.recoveryTimout', { circuitBreaker: { recoveryTimout: 1 } as never }],
    ['bulkhead.maxConcurrent', { bulkhead: {} as never }],
    ['bulkhead.maxConcurrent', { bulkhead: { maxConcurrent: 0 } }],
    ['bulkhead.maxQueue', { bulkhead: { maxConcurrent: 1, maxQueue: -1 } }],
    ['hooks', { hooks: [] as never }],
    ['hooks.beforeRequest', { hooks: { beforeRequest: (() => {}) as never } }],
    ['hooks.afterResponse[1]', { hooks: { afterResponse: [() => {}, 'x' as never] } }],
    ['hooks.beforeRequst', { hooks: { beforeRequst: [] } as never }],
    ['retry.backoff.kind', { retry: { backoff: { kind: 'linear' as never } } }],
    ['retry.budget.ratio', { retry: { budget: { ratio: -1 } } }],
    ['rateLimit.rate', { rateLimit: { rate: 0 } }],
    ['rateLimit.mode', { rateLimit: { rate: 1, mode: 'drop' as never } }],
  ]

  it.each(cases)('%s', (name, options) => {
    const error = constructionError(options)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toContain(name)
  })

  it('per-request hooks are validated too', async () => {
    const client = new Client()
    const error = await rejectionOf(
      client.get('http://127.0.0.1:1/', { hooks: { beforeError: [null as never] } }),
    )
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toContain('hooks.beforeError[0]')
  })
})

it('valid settings are accepted', () => {
  new Client({
    circuitBreaker: {
      failureThreshold: 3,
      failureRateThreshold: 1,
      windowSize: 10_000,
      minimumCalls: 1,
      recoveryTimeout: 0,
      halfOpenMaxProbes: 3,
      successThreshold: 2,
      isFailure: () => false,
      now: () => 0,
    },
    bulkhead: { maxConcurrent: 1, maxQueue: 0 },
    hooks: { beforeRequest: [], beforeRetry: [], afterResponse: [], beforeError: [] },
  })
  new Client({ circuitBreaker: false, bulkhead: false })
})
