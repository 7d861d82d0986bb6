import net from 'node:net'
import { Worker } from 'node:worker_threads'

// The listener lives in a worker whose event loop is blocked in Atomics.wait, so it never
// accepts: once its backlog is full the kernel drops further SYNs and connects stall.
const LISTENER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData.wake), 0, 0);
  server.close();
});
`

export interface StalledListener {
  /** A loopback port where a TCP connect never completes. */
  port: number
  close(): Promise<void>
}

export async function startStalledListener(): Promise<StalledListener> {
  const wake = new SharedArrayBuffer(4)
  const worker = new Worker(LISTENER_SOURCE, { eval: true, workerData: { wake } })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })

  // Linux queues backlog + 1 completed handshakes; fill them, then add spares in case a
  // kernel queues more.
  const fillers: net.Socket[] = []
  const connectFiller = () => {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    fillers.push(socket)
    return socket
  }
  for (let i = 0; i < 2; i++) {
    const socket = connectFiller()
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  }
  for (let i = 0; i < 2; i++) connectFiller()

  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy()
      const flag = new Int32Array(wake)
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
      await exited
    },
  }
}
