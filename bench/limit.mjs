// The limit in the same run: `wrk` (HTTP/1.1, cleartext or TLS) and `h2load` (HTTP/2 over
// TLS) from the OS against the same server, at the same concurrency. Both are timed by
// duration; CPU time is the tool's own user + system time, taken from bash's `times` after
// it exits (children's line), divided by the requests it completed.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const INSTALL_HINT = 'apt-get install wrk nghttp2-client'

export function limitTool(protocol) {
  return protocol === 'h2' ? 'h2load' : 'wrk'
}

export function haveTool(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// One measurement: a 1 s warm-up, then `reps` runs of `durationS` seconds. `method` and
// `body` (a string or Buffer, sent with `content-type: contentType`) describe the request.
// Resolves to the runs, which summarizeLimit turns into a row.
export async function measureLimit({
  protocol,
  url,
  concurrency,
  method = 'GET',
  body,
  contentType,
  durationS,
  reps,
}) {
  const tool = limitTool(protocol)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hyperhttp-bench-limit-'))
  const bodyFile = path.join(dir, 'body')
  if (body !== undefined) writeFileSync(bodyFile, body)
  let args
  if (tool === 'wrk') {
    const threads = Math.min(concurrency, os.cpus().length)
    args = ['-t', String(threads), '-c', String(concurrency), '--latency']
    if (method !== 'GET' || body !== undefined) {
      // The body is read from its file by the script: any bytes, no Lua escaping.
      const lua = [`wrk.method = ${JSON.stringify(method)}`]
      if (body !== undefined) {
        lua.push(
          `wrk.headers["Content-Type"] = ${JSON.stringify(contentType)}`,
          `local file = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))`,
          'wrk.body = file:read("*a")',
          'file:close()',
        )
      }
      const script = path.join(dir, 'request.lua')
      writeFileSync(script, `${lua.join('\n')}\n`)
      args.push('-s', script)
    }
  } else {
    // One connection with `concurrency` streams: how the HTTP/2 clients multiplex too.
    args = ['-c', '1', '-m', String(concurrency)]
    // -d makes h2load POST the file; a `:method` header names any other method.
    if (body !== undefined) args.push('-d', bodyFile, '-H', `content-type: ${contentType}`)
    if (method !== (body !== undefined ? 'POST' : 'GET')) args.push('-H', `:method: ${method}`)
  }
  const runOnce = (seconds) =>
    run(
      tool,
      tool === 'wrk' ? [...args, '-d', `${seconds}s`, url] : [...args, '-D', String(seconds), url],
    )
  try {
    await runOnce(1)
    const runs = []
    for (let i = 0; i < reps; i++) runs.push(await runOnce(durationS))
    return runs
  } finally {
    // The body file and wrk's script; one directory per call, once per round with rounds.
    rmSync(dir, { recursive: true, force: true })
  }
}

// The median of `key` over the repetitions `runs` (the mean of the two middle values of an
// even count), skipping repetitions without it; undefined when none has it. Every median the
// harness prints, a client's and the limit's, is this one.
export function medianOf(runs, key) {
  const values = runs
    .map((r) => r[key])
    .filter((v) => v !== undefined)
    .sort((a, b) => a - b)
  if (!values.length) return undefined
  const mid = values.length >> 1
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2
}

// The median of each figure over the runs of one or more measureLimit calls: { reqPerSec,
// p50, p95, p99, cpuUsPerReq, errors, failure? }.
export function summarizeLimit(runs) {
  const median = (key) => medianOf(runs, key)
  const row = {
    reqPerSec: median('reqPerSec'),
    p50: median('p50'),
    p95: undefined,
    p99: median('p99'),
    cpuUsPerReq: median('cpuUsPerReq'),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  }
  if (row.reqPerSec === undefined) row.failure = runs.find((r) => r.failure)?.failure ?? 'no result'
  else if (row.errors) row.failure = `${row.errors} errors or non-2xx responses`
  return row
}

function run(tool, args) {
  return new Promise((resolve) => {
    // bash's `times` prints the shell's and then its children's user and system time.
    const child = spawn(
      'bash',
      ['-c', `"$@"; status=$?; times; exit $status`, 'bash', tool, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
    })
    child.stderr.on('data', (c) => {
      out += c
    })
    child.on('close', (code) => {
      const parsed = tool === 'wrk' ? parseWrk(out) : parseH2load(out)
      const times = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1)
      if (times && parsed.requests) {
        const cpuS =
          Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])
        parsed.cpuUsPerReq = (cpuS * 1e6) / parsed.requests
      }
      if (parsed.reqPerSec === undefined) {
        parsed.failure = `${tool} exited with ${code}: ${out.trim().split('\n').slice(-3).join(' ')}`
      }
      resolve(parsed)
    })
  })
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60000 }

function parseWrk(out) {
  const result = { errors: 0 }
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  if (rps) result.reqPerSec = Number(rps[1])
  const total = /(\d+) requests in/.exec(out)
  if (total) result.requests = Number(total[1])
  for (const [, p, value, unit] of out.matchAll(/^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$/gm)) {
    result[`p${p}`] = Number(value) * UNIT_MS[unit]
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  if (non2xx) result.errors += Number(non2xx[1])
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  if (socket) result.errors += socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
  return result
}

function parseH2load(out) {
  const result = { errors: 0 }
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)
  if (rps) result.reqPerSec = Number(rps[1])
  const reqs =
    /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(
      out,
    )
  if (reqs) {
    result.requests = Number(reqs[1])
    result.errors += Number(reqs[3]) + Number(reqs[4])
  }
  const status = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out)
  if (status) result.errors += Number(status[3]) + Number(status[4])
  // h2load reports the mean and deviation of request time, not percentiles: left blank.
  return result
}
