import { expect, it } from 'vitest'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'

// A fresh process with two engine threads (the engine is per process). It sends requests one
// at a time and counts, per engine thread, how often the thread went to sleep meanwhile
// (voluntary context switches): the thread that does the work sleeps at least once per
// request while it waits for the response; the other must not be woken at all.
const REQUESTS = 300
const CHILD = `
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
const { Client } = await import(${JSON.stringify(packageEntryUrl)})
const sleeps = () =>
  readdirSync('/proc/self/task')
    .filter((t) => readFileSync('/proc/self/task/' + t + '/comm', 'utf8').startsWith('hyperhttp-work'))
    .map((t) => Number(/^voluntary_ctxt_switches:\\s+(\\d+)/m.exec(readFileSync('/proc/self/task/' + t + '/status', 'utf8'))[1]))
const server = createServer((_req, res) => res.end('ok'))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = 'http://127.0.0.1:' + server.address().port + '/'
const client = new Client({ workerThreads: 2 })
await (await client.get(url)).text()
const before = sleeps()
for (let i = 0; i < ${REQUESTS}; i++) await (await client.get(url)).text()
const after = sleeps()
await client.close()
server.close()
console.log(JSON.stringify(after.map((n, i) => n - before[i]).sort((a, b) => a - b)))
`

it.runIf(process.platform === 'linux')(
  'one request at a time keeps to one engine thread and never wakes the other',
  async () => {
    const result = await runNodeScript(CHILD, { HYPERHTTP_WORKER_THREADS: undefined })
    expect(result.stderr).toBe('')
    const [idle, working] = JSON.parse(result.stdout) as [number, number]
    expect(working).toBeGreaterThanOrEqual(REQUESTS)
    // Spawning each request straight into tokio woke the second thread more than once per
    // request (runtime.rs explains why).
    expect(idle).toBeLessThan(REQUESTS / 10)
  },
)
