import { expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { runNodeScript } from './helpers/child-process.js'
import { restoreEnvAfterEach } from './helpers/env.js'
import { packageEntryUrl } from './helpers/package.js'

// The variables are read whenever a client's options are checked (the engine itself is
// started by the first client only), so this process can try them on `new Client()`.
restoreEnvAfterEach(['HYPERHTTP_WORKER_THREADS', 'HYPERHTTP_HTTP2_LANES'])

it.each(['four', '0', '-1', '1.5', '1025', '99999999', ' 2'])(
  'refuses HYPERHTTP_WORKER_THREADS=%j by its name, as it refuses the option',
  (value) => {
    process.env.HYPERHTTP_WORKER_THREADS = value
    expect(() => new Client()).toThrow(InvalidArgumentError)
    expect(() => new Client()).toThrow(
      /^HYPERHTTP_WORKER_THREADS must be an integer from 1 to 1024, got/,
    )
  },
)

it.each(['lots', '-1', '1025'])('refuses HYPERHTTP_HTTP2_LANES=%j by its name', (value) => {
  process.env.HYPERHTTP_HTTP2_LANES = value
  expect(() => new Client()).toThrow(/^HYPERHTTP_HTTP2_LANES must be an integer from 0 to 1024/)
})

it('takes valid and empty variables, and an option over a bad variable', async () => {
  process.env.HYPERHTTP_WORKER_THREADS = '2'
  process.env.HYPERHTTP_HTTP2_LANES = '0'
  await new Client().close()
  process.env.HYPERHTTP_WORKER_THREADS = ''
  process.env.HYPERHTTP_HTTP2_LANES = ''
  await new Client().close()
  process.env.HYPERHTTP_WORKER_THREADS = 'four'
  process.env.HYPERHTTP_HTTP2_LANES = 'lots'
  await new Client({ workerThreads: 2, http2Lanes: 1 }).close()
})

// fetch creates its client on first use: a bad variable rejects that call (a fetch never
// throws), starts no engine, and the next call, with the variable fixed, works.
const FETCH_CHILD = `
import { createServer } from 'node:http'
const { fetch } = await import(${JSON.stringify(packageEntryUrl)})
const server = createServer((_req, res) => res.end('ok'))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = 'http://127.0.0.1:' + server.address().port + '/'
let first
try {
  first = await fetch(url).then(() => 'fulfilled', (e) => e.name + ': ' + e.message)
} catch (e) {
  first = 'threw ' + e.message
}
process.env.HYPERHTTP_WORKER_THREADS = '1'
const second = await (await fetch(url)).text()
server.close()
console.log(JSON.stringify({ first, second }))
`

it('a bad variable rejects the first fetch; fixed, the next fetch goes through', async () => {
  const result = await runNodeScript(FETCH_CHILD, { HYPERHTTP_WORKER_THREADS: 'four' })
  expect(result.stderr).toBe('')
  expect(JSON.parse(result.stdout)).toEqual({
    first:
      'InvalidArgumentError: HYPERHTTP_WORKER_THREADS must be an integer from 1 to 1024, got "four"',
    second: 'ok',
  })
})
