// Starts bench/server.mjs in a child process and resolves once it listens. The server
// exits with this process: it watches its stdin pipe, and we kill it on exit.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'

export async function startServer(args = []) {
  const script = path.join(import.meta.dirname, 'server.mjs')
  const child = spawn(process.execPath, [script, '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  process.on('exit', () => child.kill())
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^READY (\d+)$/.exec(line)
    if (match) return { port: Number(match[1]), stop: () => child.kill() }
  }
  throw new Error('bench/server.mjs exited before printing READY')
}
