import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.entry).then(async ({ fetch, Client }) => {
  const res = await fetch(workerData.url);
  const client = new Client();
  const second = await client.get(workerData.url);
  parentPort.postMessage({ status: res.status, text: await res.text(), second: await second.text() });
}).catch((error) => parentPort.postMessage({ error: String(error) }));
`

function runWorker(url: string) {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { entry: packageEntryUrl, url },
  })
  const message = new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  // A worker that has not exited by the deadline is terminated and reported as 'did not exit'.
  const exitCode = new Promise<number | 'did not exit'>((resolve) => {
    const deadline = setTimeout(() => {
      resolve('did not exit')
      void worker.terminate()
    }, 15_000)
    worker.once('exit', (code) => {
      clearTimeout(deadline)
      resolve(code)
    })
  })
  return { message, exitCode }
}

it('requests work from a worker thread and the worker exits by itself', async () => {
  const server = await startHttpServer((_req, res) => res.end('from worker'))
  const { message, exitCode } = runWorker(server.url)
  expect(await message).toEqual({ status: 200, text: 'from worker', second: 'from worker' })
  expect(await exitCode).toBe(0)
})

it('several workers can use the addon at the same time', async () => {
  const server = await startHttpServer((_req, res) => res.end('from worker'))
  const workers = Array.from({ length: 4 }, () => runWorker(server.url))
  const messages = await Promise.all(workers.map((worker) => worker.message))
  const exitCodes = await Promise.all(workers.map((worker) => worker.exitCode))
  for (const message of messages)
    expect(message).toMatchObject({ status: 200, text: 'from worker' })
  expect(exitCodes).toEqual([0, 0, 0, 0])
})
