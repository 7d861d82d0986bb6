// `npm run soak [-- --minutes N] [--concurrency N]`: a mixed workload through one hyperhttp
// Client and the drop-in fetch against nginx from the OS, reloaded every 30 s and restarted
// twice, then a summary and exit code 1 on any violation. See the README's "Soak test".
import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeCertificate } from '../bench/certificate.mjs'
import { NGINX_HINT, nginxBinary, nginxVersion } from '../bench/nginx.mjs'
import { analyse, printSummary } from './report.mjs'
import { prepareSite, startSite } from './site.mjs'
import { startUpstream } from './upstream.mjs'

const RELOAD_EVERY_MS = 30_000
const SAMPLE_EVERY_MS = 2_000
// Time the client has to settle its last requests, close, and exit after the deadline.
const DRAIN_LIMIT_MS = 120_000
const EXIT_LIMIT_MS = 20_000

const flags = parseFlags(process.argv.slice(2))
const durationMs = Math.round(flags.minutes * 60_000)
const binary = nginxBinary()
if (!binary) fail(`nginx not found. Install it: ${NGINX_HINT}`)

const loadBefore = os.loadavg()[0]
const tls = makeCertificate()
const { dir, files, blobs } = prepareSite()
const upstream = await startUpstream(blobs)
const site = await startSite({ binary, tls, dir, upstreamPort: upstream.port })
log(`nginx ${nginxVersion(binary)} on ${Object.values(site.origins).join(' ')}`)

const messages = { requests: [], samples: [], unhandled: [] }
const load = fork(
  fileURLToPath(new URL('./load.mjs', import.meta.url)),
  [
    JSON.stringify({
      origins: site.origins,
      filesDir: files,
      concurrency: flags.concurrency,
      durationMs,
      // "After the first minute": a minute, or a quarter of a shorter run.
      warmupMs: Math.min(60_000, durationMs / 4),
      sampleMs: SAMPLE_EVERY_MS,
    }),
  ],
  {
    execArgv: ['--expose-gc'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(path.dirname(tls.certPath), 'ca.pem') },
  },
)
const exited = new Promise((resolve) =>
  load.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
)
const started = new Promise((resolve) => {
  load.on('message', ({ batch }) => {
    for (const message of batch) {
      if (message.type === 'request') messages.requests.push(message)
      else if (message.type === 'sample') messages.samples.push(message)
      else if (message.type === 'unhandled') messages.unhandled.push(message)
      else messages[message.type] = message
      if (message.type === 'started') resolve(message)
    }
  })
})
const first = await Promise.race([started, exited])
if (!messages.started) fail(`the client process exited before starting (code ${first.code})`)
log(`running ${flags.minutes} min, concurrency ${flags.concurrency} + 2 keep-alive racers`)

const events = await disturb(messages.started.at, durationMs)
await Promise.race([
  until(() => messages.final, messages.started.at + durationMs + DRAIN_LIMIT_MS),
  exited,
])
const exit = await Promise.race([exited, sleepUntil(Date.now() + EXIT_LIMIT_MS)])
if (!exit) load.kill('SIGKILL')
await site.stop()
await upstream.close()
rmSync(path.dirname(tls.certPath), { recursive: true, force: true })

const report = analyse({
  ...messages,
  finalInTime: messages.final !== undefined,
  exit,
  events,
  deliveries: upstream.deliveries,
  durationMs,
  warmupMs: Math.min(60_000, durationMs / 4),
})
printSummary(report, {
  minutes: flags.minutes,
  concurrency: flags.concurrency,
  nginx: nginxVersion(binary),
  node: process.version,
  load: [loadBefore, os.loadavg()[0]],
  cores: os.availableParallelism(),
})
process.exitCode = report.violations.length > 0 ? 1 : 0

// Reloads nginx every 30 s and restarts it at a third and two thirds of the run; returns
// the reload times and the restart windows (from the stop signal until the new nginx
// accepts connections).
async function disturb(from, duration) {
  const restartsAt = [duration / 3, (2 * duration) / 3].map((t) => from + t)
  const plan = []
  for (let t = RELOAD_EVERY_MS; t < duration; t += RELOAD_EVERY_MS)
    plan.push({ at: from + t, kind: 'reload' })
  for (const at of restartsAt) plan.push({ at, kind: 'restart' })
  plan.sort((a, b) => a.at - b.at)
  const done = { reloads: [], restarts: [] }
  for (const step of plan) {
    await sleepUntil(step.at)
    if (step.kind === 'reload') {
      site.reload()
      done.reloads.push(Date.now())
    } else {
      const stoppedAt = Date.now()
      await site.restart()
      done.restarts.push({ from: stoppedAt, to: Date.now() })
      log(`restarted nginx (down ${Date.now() - stoppedAt} ms)`)
    }
  }
  await sleepUntil(from + duration)
  return done
}

async function until(value, deadline) {
  while (!value() && Date.now() < deadline) await sleepUntil(Date.now() + 200)
  return value()
}

function sleepUntil(at) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))
}

function parseFlags(args) {
  const parsed = { minutes: 10, concurrency: 8 }
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.replace(/^--/, '')
    const value = Number(args[i + 1])
    if (!(name in parsed) || !args[i].startsWith('--')) {
      fail(
        `unknown option ${args[i]}; options: --minutes N (default 10), --concurrency N (default 8)`,
      )
    }
    if (!(value > 0) || (name === 'concurrency' && !Number.isInteger(value))) {
      fail(
        `--${name} needs a positive ${name === 'concurrency' ? 'integer' : 'number'}, got ${args[i + 1]}`,
      )
    }
    parsed[name] = value
  }
  return parsed
}

function log(line) {
  process.stderr.write(`soak: ${line}\n`)
}

function fail(message) {
  log(message)
  process.exit(2)
}
