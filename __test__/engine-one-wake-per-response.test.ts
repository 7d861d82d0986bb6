import { expect, it } from 'vitest'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'

// A fresh process sends requests one at a time to a server in another process and counts how
// often its JS thread went to sleep meanwhile (voluntary context switches): once per request,
// while it waits for the response. Woken through a threadsafe function, it often woke while
// the engine thread still held the function's lock and slept again on it (see
// crates/node/src/bell.rs): 1.2-1.9 sleeps per request.
const REQUESTS = 300
const SERVER = `
require('node:http')
  .createServer((_req, res) => res.end('ok'))
  .listen(0, '127.0.0.1', function () { console.log(this.address().port) })
`
const CHILD = `
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const sleeps = () =>
  Number(/^voluntary_ctxt_switches:\\s+(\\d+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))[1])
const server = spawn(process.execPath, ['--eval', ${JSON.stringify(SERVER)}], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())))
const url = 'http://127.0.0.1:' + port + '/'
const client = new Client()
for (let i = 0; i < 50; i++) await (await client.get(url)).text()
const before = sleeps()
for (let i = 0; i < ${REQUESTS}; i++) await (await client.get(url)).text()
const after = sleeps()
await client.close()
server.kill()
console.log(after - before)
`

it.runIf(process.platform === 'linux')(
  'one request at a time puts the JS thread to sleep once per response',
  async () => {
    const result = await runNodeScript(CHILD)
    expect(result.stderr).toBe('')
    const sleeps = Number(result.stdout)
    // At most once per request; a response can be there before the JS thread would sleep.
    expect(sleeps).toBeGreaterThan(REQUESTS / 2)
    expect(sleeps).toBeLessThan(REQUESTS * 1.1)
  },
)
