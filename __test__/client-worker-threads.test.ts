import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

// A fresh process, since the engine's runtime is per process and this one's already runs.
// It counts the engine's threads by name (Linux truncates thread names to 15 bytes).
const CHILD = `
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const engineThreads = () =>
  readdirSync('/proc/self/task').filter((t) =>
    readFileSync('/proc/self/task/' + t + '/comm', 'utf8').startsWith('hyperhttp-work'),
  ).length
const server = createServer((_req, res) => res.end('ok'))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = 'http://127.0.0.1:' + server.address().port + '/'
const first = new Client({ workerThreads: 3 })
const firstText = await (await first.get(url)).text()
const afterFirst = engineThreads()
const second = new Client({ workerThreads: 5 })
const secondText = await (await second.get(url)).text()
const afterSecond = engineThreads()
await first.close()
await second.close()
server.close()
console.log(JSON.stringify({ firstText, secondText, afterFirst, afterSecond }))
`

it.runIf(process.platform === 'linux')(
  'the first client sets the process-wide engine thread count; later values are ignored',
  async () => {
    const result = await runNodeScript(CHILD, { HYPERHTTP_WORKER_THREADS: undefined })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      firstText: 'ok',
      secondText: 'ok',
      afterFirst: 3,
      afterSecond: 3,
    })
  },
)

// The package starts no thread beyond the engine's (napi-rs's `async` feature used to start a
// tokio runtime of its own, a thread per CPU, that nothing used); the first client's request
// starts the engine's workers, and only them (no HTTP/2 here, so no lane).
const LOAD_CHILD = `
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
const names = () =>
  readdirSync('/proc/self/task').map((t) => readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim())
const ours = (list) => list.filter((name) => name.startsWith('tokio') || name.startsWith('hyperhttp'))
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const afterImport = ours(names())
const server = createServer((_req, res) => res.end('ok'))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const client = new Client({ workerThreads: 2 })
const text = await (await client.get('http://127.0.0.1:' + server.address().port + '/')).text()
const afterRequest = ours(names()).sort()
await client.close()
server.close()
console.log(JSON.stringify({ afterImport, text, afterRequest }))
`

it.runIf(process.platform === 'linux')(
  'loading the package starts no thread; a request starts only the engine workers asked for',
  async () => {
    const result = await runNodeScript(LOAD_CHILD, { HYPERHTTP_WORKER_THREADS: undefined })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      afterImport: [],
      text: 'ok',
      afterRequest: ['hyperhttp-worke', 'hyperhttp-worke'],
    })
  },
)

it('a client with workerThreads sends requests', async () => {
  const server = await startRecordingServer()
  await using client = new Client({ workerThreads: 2 })
  expect(await (await client.get(server.url)).text()).toBe('ok')
  expect(server.requests).toHaveLength(1)
})

it.each([0, -1, 2.5, 1025, '2'])('refuses workerThreads %j with InvalidArgumentError', (value) => {
  expect(() => new Client({ workerThreads: value as number })).toThrow(InvalidArgumentError)
  expect(() => new Client({ workerThreads: value as number })).toThrow(/^workerThreads must be/)
})
