import { afterEach, describe, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>

function constructionError(options: ClientOptions): unknown {
  try {
    new Client(options)
  } catch (error) {
    return error
  }
  throw new Error('expected new Client() to throw')
}

describe('invalid client options throw InvalidArgumentError naming the option', () => {
  const cases: Array<[name: string, options: ClientOptions]> = [
    ['timeout.connect', { timeout: { connect: -1 } }],
    ['timeout.read', { timeout: { read: Number.NaN } }],
    ['timeout.total', { timeout: { total: Number.POSITIVE_INFINITY } }],
    ['timeout.pool', { timeout: { pool: '5' as never } }],
    ['timeout', { timeout: -5 }],
    ['maxConnectionsPerHost', { limits: { maxConnectionsPerHost: -1 } }],
    ['maxConnections', { limits: { maxConnections: 1.5 } }],
    ['keepAliveTimeout', { limits: { keepAliveTimeout: -100 } }],
    ['maxRedirects', { maxRedirects: -1 }],
    ['redirect', { redirect: 'sometimes' as never }],
    ['baseUrl', { baseUrl: 'not a url' }],
    ['maxDecodedBodySize', { maxDecodedBodySize: -1 }],
    ['maxHeaderSize', { maxHeaderSize: -1 }],
    ['http2', { http2: 'yes' as never }],
    ['decompress', { decompress: 1 as never }],
    ['tls.rejectUnauthorized', { tls: { rejectUnauthorized: 'no' as never } }],
  ]

  it.each(cases)('%s', (name, options) => {
    const error = constructionError(options)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT')
    expect((error as InvalidArgumentError).message).toContain(name)
  })

  it('an unknown option is named rather than ignored', () => {
    const error = constructionError({ timeuot: 5 } as never)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as InvalidArgumentError).message).toContain('timeuot')
  })

  it('reports the offending value for timeout.connect', () => {
    const error = constructionError({ timeout: { connect: -1 } })
    expect((error as InvalidArgumentError).message).toContain('-1')
  })
})

describe('valid edge values are accepted', () => {
  it('0 disables a timeout', async () => {
    await using client = new Client({
      timeout: { connect: 0, read: 0, write: 0, pool: 0, total: 0 },
    })
    expect(client).toBeInstanceOf(Client)
  })

  it('a number timeout is the total timeout', async () => {
    await using client = new Client({ timeout: 10_000, maxRedirects: 0 })
    expect(client).toBeInstanceOf(Client)
  })
})

describe('invalid per-request options reject with InvalidArgumentError and send nothing', () => {
  it.each([
    ['timeout', { timeout: -1 }],
    ['redirect', { redirect: 'bogus' as never }],
    ['maxRedirects', { maxRedirects: -3 }],
  ] as const)('%s', async (name, options) => {
    const server = await startRecordingServer()
    await using client = new Client({ baseUrl: server.url })
    const error = await rejectionOf(client.get('/', options))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as InvalidArgumentError).message).toContain(name)
    expect(server.connections.total).toBe(0)
  })
})
