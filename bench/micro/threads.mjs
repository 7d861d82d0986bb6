// Where a client's CPU goes, thread by thread: one client row of compare.mjs at `--concurrency`
// requests in flight against crates/bench-server, in a process of its own, warmed up for
// `--warmup-seconds`; then, over `--seconds`, each of that process's threads' user and system
// CPU time and voluntary context switches (its sleeps) from /proc/PID/task, per request, with
// threads of the same name (the engine's workers, V8's helpers) summed into one row, and the
// established TCP connections the process holds. Linux only (it reads /proc).
// `--size post` sends compare.mjs's POST 10 KiB JSON row to the server's echo route.
// HYPERHTTP_BENCH_BUILD measures another build, as with compare.mjs; HYPERHTTP_WORKER_THREADS
// and the other engine settings reach the client process too.
//
//   node bench/micro/threads.mjs [--client hyperhttp-request] [--protocol h1|tls|h2]
//                                [--size 200|post] [--concurrency 64] [--seconds 3]
//                                [--warmup-seconds 5]
//
// (`--url URL [--ca PEM]` is how it runs the client in the child process.)
import { fork } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { CLIENTS, typedHeaders } from '../clients.mjs'
import { bytes, count, nonNegative, oneOf, parseFlags, positive, refuse } from '../flags.mjs'
import { startServerNamed } from '../nginx.mjs'
import { JSON_TYPE, postWorkload } from '../workload.mjs'
import { expectAnswer, machineLine } from './cpu-load.mjs'

const TOOL = 'bench/micro/threads.mjs'
const flags = parseFlags(TOOL, {
  client: { type: 'string', default: 'hyperhttp-request' },
  protocol: { type: 'string', default: 'h1' },
  size: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '64' },
  seconds: { type: 'string', default: '3' },
  'warmup-seconds': { type: 'string', default: '5' },
  // Internal: the client process, loading --url until its parent disconnects.
  url: { type: 'string' },
  ca: { type: 'string' },
})
const name = oneOf(TOOL, 'client', flags.client, Object.keys(CLIENTS))
const protocol = oneOf(TOOL, 'protocol', flags.protocol, ['h1', 'tls', 'h2'])
const post = flags.size.trim().toLowerCase() === 'post' ? postWorkload() : undefined
const size = post ? post.size : bytes(TOOL, 'size', flags.size)
const concurrency = count(TOOL, 'concurrency', flags.concurrency)
const seconds = positive(TOOL, 'seconds', flags.seconds)
const warmupSeconds = nonNegative(TOOL, 'warmup-seconds', flags['warmup-seconds'])

if (flags.url) {
  // The client process: requests without end, counted; the parent asks for the count.
  const client = await CLIENTS[name]({
    connections: concurrency,
    protocol,
    ca: flags.ca,
    typed: typedHeaders(JSON_TYPE),
  })
  const send = post
    ? () => client.send(post.method, flags.url, post.body)
    : () => client.get(flags.url)
  let done = 0
  let stopped = false
  const worker = async () => {
    while (!stopped) {
      expectAnswer(await send(), size)
      done++
    }
  }
  const workers = Promise.all(Array.from({ length: concurrency }, worker))
  setTimeout(() => process.send({ type: 'warm' }), warmupSeconds * 1000)
  process.on('message', (message) => {
    if (message === 'count') process.send({ type: 'count', done })
  })
  process.on('disconnect', async () => {
    stopped = true
    await workers
    await client.close()
  })
} else {
  if (process.platform !== 'linux') refuse(TOOL, 'reads /proc/PID/task, so it runs on Linux only')
  const loadAtStart = os.loadavg()[0]
  const started = await startServerNamed('hyper', protocol, size)
  const url = post ? new URL(post.path, started.url).href : started.url
  const args = ['--url', url, '--client', name, '--protocol', protocol, '--size', flags.size]
  args.push('--concurrency', flags.concurrency, '--warmup-seconds', flags['warmup-seconds'])
  if (started.tls) args.push(`--ca=${started.tls.ca}`)
  const child = fork(fileURLToPath(import.meta.url), args)
  const failed = new Promise((_, reject) => {
    child.on('exit', (code) => reject(new Error(`the client process exited (code ${code})`)))
  })
  // Also when it exits at the end, as asked: only the races below care.
  failed.catch(() => {})
  const next = (type) =>
    Promise.race([
      failed,
      new Promise((resolve) => {
        const on = (message) => {
          if (message.type !== type) return
          child.off('message', on)
          resolve(message)
        }
        child.on('message', on)
      }),
    ])
  try {
    await next('warm')
    const before = threads(child.pid)
    child.send('count')
    const from = (await next('count')).done
    const t0 = performance.now()
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, seconds * 1000))])
    const after = threads(child.pid)
    child.send('count')
    const to = (await next('count')).done
    const elapsed = (performance.now() - t0) / 1000
    const connections = establishedConnections(child.pid)
    child.disconnect()
    await new Promise((resolve) => child.once('exit', resolve))
    print({ before, after, requests: to - from, elapsed, connections, loadAtStart, started })
  } catch (error) {
    child.kill()
    throw error
  } finally {
    started.server.stop()
  }
}

// Each thread's name, user and system CPU (clock ticks) and voluntary context switches,
// by thread id. A thread that ends while it is read is left out.
function threads(pid) {
  const found = new Map()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      // The name is between the first '(' and the last ')'; fields 14 and 15 follow it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      found.set(tid, {
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        user: Number(fields[11]),
        system: Number(fields[12]),
        sleeps: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      })
    } catch {}
  }
  return found
}

// Established TCP connections among the process's open sockets (/proc/PID/net/tcp and tcp6,
// state 01, matched by socket inode).
function establishedConnections(pid) {
  const inodes = new Set()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      if (target.startsWith('socket:[')) inodes.add(target.slice(8, -1))
    } catch {}
  }
  let established = 0
  for (const table of ['tcp', 'tcp6']) {
    let text = ''
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
    } catch {}
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/)
      if (columns[3] === '01' && inodes.has(columns[9])) established++
    }
  }
  return established
}

function print({ before, after, requests, elapsed, connections, loadAtStart, started }) {
  // Clock ticks are 1/100 s on Linux (USER_HZ), whatever the kernel's own rate.
  const tick = 1e4
  const rows = new Map()
  for (const [tid, end] of after) {
    const start = before.get(tid) ?? { user: 0, system: 0, sleeps: 0 }
    const row = rows.get(end.name) ?? { threads: 0, user: 0, system: 0, sleeps: 0 }
    row.threads++
    row.user += end.user - start.user
    row.system += end.system - start.system
    row.sleeps += end.sleeps - start.sleeps
    rows.set(end.name, row)
  }
  const per = (value) => (value / requests).toFixed(2)
  const workload = post ? post.name : `${size} B`
  const lines = [
    `## Threads of ${name}: ${workload}, ${protocol}, concurrency ${concurrency}`,
    '',
    machineLine(loadAtStart),
    `- ${requests} requests in ${elapsed.toFixed(1)} s (${(requests / elapsed).toFixed(0)} req/s) after a warm-up of ${warmupSeconds} s; ${connections} established connections; server: ${started.label}`,
    '',
    '| thread (how many) | user µs/req | system µs/req | sleeps/req |',
    '|---|--:|--:|--:|',
  ]
  let total = 0
  for (const [thread, row] of [...rows].sort(
    (a, b) => b[1].user + b[1].system - a[1].user - a[1].system,
  )) {
    total += row.user + row.system
    lines.push(
      `| ${thread} (${row.threads}) | ${per(row.user * tick)} | ${per(row.system * tick)} | ${(row.sleeps / requests).toFixed(3)} |`,
    )
  }
  lines.push('', `Whole process: ${per(total * tick)} µs of CPU per request.`)
  process.stdout.write(`${lines.join('\n')}\n`)
}
