import { afterEach, expect, it } from 'vitest'
import {
  CircuitBreakerOpenError,
  Client,
  ConnectError,
  type HookRequest,
  HyperHttpError,
} from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { answer, startFlakyServer } from './helpers/flaky.js'
import { closeAll, closedPort } from './helpers/servers.js'

afterEach(closeAll)

class UpstreamError extends Error {}

it('beforeError hooks run in order and can replace the error', async () => {
  const port = await closedPort()
  const seen: Array<[string, string]> = []
  await using client = new Client({
    retry: false,
    hooks: {
      beforeError: [
        (error, request) => {
          seen.push([error.name, request.url])
          return new UpstreamError(`upstream ${request.url} is down`, { cause: error })
        },
      ],
    },
  })
  const url = `http://127.0.0.1:${port}/x`
  const error = await rejectionOf(
    client.get(url, {
      hooks: { beforeError: [(e) => void seen.push([e.constructor.name, 'request hook'])] },
    }),
  )
  expect(error).toBeInstanceOf(UpstreamError)
  expect((error as Error).cause).toBeInstanceOf(ConnectError)
  expect(seen).toEqual([
    ['ConnectError', url],
    ['UpstreamError', 'request hook'],
  ])
})

it('beforeError sees breaker refusals too', async () => {
  const server = await startFlakyServer((res) => answer(res, 500))
  const seen: unknown[] = []
  let request: HookRequest | undefined
  await using client = new Client({
    retry: false,
    circuitBreaker: { failureThreshold: 1 },
    hooks: {
      beforeError: [
        (error, req) => {
          seen.push(error)
          request = req
        },
      ],
    },
  })
  await client.get(server.url)
  const error = await rejectionOf(client.get(`${server.url}/again`))
  expect(error).toBeInstanceOf(CircuitBreakerOpenError)
  expect(seen).toEqual([error])
  expect(request?.url).toBe(`${server.url}/again`)
})

it('errors thrown by beforeRequest hooks reject as they are, without beforeError', async () => {
  const seen: unknown[] = []
  const thrown = new Error('no token')
  await using client = new Client({
    hooks: {
      beforeRequest: [
        () => {
          throw thrown
        },
      ],
      beforeError: [(error) => void seen.push(error)],
    },
  })
  expect(await rejectionOf(client.get('http://127.0.0.1:1/'))).toBe(thrown)
  expect(seen).toEqual([])
})

it('an invalid request left by a hook is reported as InvalidArgumentError through beforeError', async () => {
  const seen: unknown[] = []
  await using client = new Client({
    hooks: {
      beforeRequest: [
        (request) => {
          request.url = 'not a url'
        },
      ],
      beforeError: [(error) => void seen.push(error)],
    },
  })
  const error = await rejectionOf(client.get('http://127.0.0.1:1/'))
  expect(error).toBeInstanceOf(HyperHttpError)
  expect((error as HyperHttpError).code).toBe('ERR_INVALID_ARGUMENT')
  expect(seen).toEqual([error])
})
