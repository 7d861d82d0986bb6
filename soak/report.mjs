// The soak's verdict: every finished request judged against the rules below, the server's
// delivery counts checked against what the client saw, memory, descriptors and exit, then a
// summary in Markdown tables. The rules are written out in the README's "Soak test".
const MiB = 1024 * 1024
// RSS may grow this much after the warm-up: room for the transient buffers of the requests
// in flight (10 at a time, each up to a 4 MiB body held as a copy and as its bytes), and far
// below what a leak of one body per thousand requests adds over a 10-minute run.
export const RSS_GROWTH_LIMIT = 64 * MiB
// The heap after a full GC at the end may exceed the one after the warm-up by this much.
export const HEAP_GROWTH_LIMIT = 8 * MiB
// After a restart the breaker (2 s recovery) and the retry waits need a few seconds.
export const RESTART_GRACE_MS = 5_000

const ABORT_CODES = new Set(['ERR_ABORTED', 'AbortError'])
const TIMEOUT_CODES = new Set(['ERR_TIMEOUT', 'TimeoutError'])

export function analyse(run) {
  const violations = []
  const windows = run.events.restarts
  const judged = run.requests.map((request) => ({ request, ...judge(request, windows) }))
  for (const { request, verdict, reason } of judged) {
    if (verdict === 'violation')
      violations.push(`${label(request)}: ${reason}${when(request, run)}`)
  }
  const deliveries = checkDeliveries(run.requests, run.deliveries, violations)
  const memory = checkMemory(run, violations)
  const fds = checkEnd(run, violations)
  for (const { detail } of run.unhandled) violations.push(`unhandled rejection: ${detail.message}`)
  checkCoverage(judged, deliveries, run.events, violations)
  return { judged, deliveries, memory, fds, events: run.events, violations }
}

// ok | expected (an abort or timeout the workload asked for) | restart (a failure that
// overlaps a restart of nginx) | not-resent (a POST the client may not resend failed on a
// connection the server closed) | violation.
function judge(r, windows) {
  if (r.outcome === 'corrupt') return violation('body checksum mismatch')
  if (r.code === 'UNTYPED') return violation(`error without a code: ${r.message}`)
  if (r.kind.startsWith('abort-')) {
    if (r.outcome === 'ok' && r.kind === 'abort-timer') return { verdict: 'ok' }
    if (r.outcome === 'error' && ABORT_CODES.has(r.code)) return { verdict: 'expected' }
  } else if (r.kind.startsWith('timeout-')) {
    if (r.outcome === 'error' && TIMEOUT_CODES.has(r.code)) return { verdict: 'expected' }
  } else if (r.outcome === 'ok') {
    return { verdict: 'ok' }
  }
  const notResendable = r.kind === 'post-plain' || (r.kind === 'post-key' && r.via === 'fetch')
  if (r.code === 'ERR_CONNECTION_CLOSED' && notResendable) return { verdict: 'not-resent' }
  const restart = windows.some((w) => r.at <= w.to + RESTART_GRACE_MS && r.end >= w.from)
  if (restart && (r.outcome === 'error' || r.outcome === 'status')) return { verdict: 'restart' }
  return violation(details(r))
}

function violation(reason) {
  return { verdict: 'violation', reason }
}

// What the upstream saw for each id (Idempotency-Key or x-soak-id) against what the client
// was told. Rules: never more deliveries than the client's attempts; a POST without a key at
// most once; a receipt the client accepted is one the server processed, with the same
// checksum; injected 503s retried into a 200 show every injection; no unknown ids.
function checkDeliveries(requests, deliveries, violations) {
  const tally = new Map()
  const seen = new Set()
  for (const r of requests) {
    if (!r.id) continue
    seen.add(r.id)
    const d = deliveries.get(r.id)
    const arrivals = d?.arrivals ?? 0
    const attempts = r.attempts ?? 1
    const row = tallyRow(tally, r.kind)
    row.issued += 1
    row.deliveries += arrivals
    if (arrivals > attempts) {
      violations.push(`${label(r)}: delivered ${arrivals} times in ${attempts} attempts`)
    }
    if (r.kind === 'post-plain' && arrivals > 1) {
      violations.push(`${label(r)}: a POST without Idempotency-Key was delivered ${arrivals} times`)
    }
    const writes = r.kind === 'put' || r.kind.startsWith('post')
    if (r.outcome === 'ok') {
      row.ok += 1
      if (writes && (d?.processed !== 1 || d.body.sha256 !== r.serverSha)) {
        violations.push(
          `${label(r)}: the client got a receipt the server has no matching record of`,
        )
      }
      if (r.failFirst > 0) {
        row.injectedRetried += 1
        if (d?.injected !== r.failFirst || attempts < r.failFirst + 1) {
          violations.push(
            `${label(r)}: ${r.failFirst} injected 503s but ${d?.injected} seen in ${attempts} attempts`,
          )
        }
      }
    } else if (d?.processed) {
      row.failedProcessed += 1
    } else {
      row.failedUnprocessed += 1
    }
    if (d?.replays > 0) row.replays += d.replays
  }
  for (const id of deliveries.keys()) {
    if (!seen.has(id))
      violations.push(`${id}: delivered to the server but never reported by the client`)
  }
  return tally
}

function tallyRow(tally, kind) {
  if (!tally.has(kind)) {
    tally.set(kind, {
      issued: 0,
      ok: 0,
      failedProcessed: 0,
      failedUnprocessed: 0,
      deliveries: 0,
      replays: 0,
      injectedRetried: 0,
    })
  }
  return tally.get(kind)
}

function checkMemory(run, violations) {
  const boundary = run.started.at + run.warmupMs
  const rss = (samples) => Math.max(0, ...samples.map((s) => s.memory.rss))
  const samples = [run.started, ...run.samples]
  const warm = rss(samples.filter((s) => s.at < boundary))
  const after = samples.filter((s) => s.at >= boundary)
  const peakAfter = rss(after)
  const memory = {
    rssStart: run.started.memory.rss,
    rssWarmPeak: warm,
    rssPeakAfter: peakAfter,
    rssEnd: run.final?.memory.rss,
    heapBaseline: run.baseline?.memory.heapUsed,
    heapEnd: run.final?.memory.heapUsed,
  }
  if (after.length > 0 && peakAfter - warm > RSS_GROWTH_LIMIT) {
    violations.push(
      `RSS grew ${mib(peakAfter - warm)} MiB after the warm-up (limit ${mib(RSS_GROWTH_LIMIT)})`,
    )
  }
  if (!run.baseline) violations.push('no heap baseline was taken (run shorter than the warm-up?)')
  else if (run.final && memory.heapEnd - memory.heapBaseline > HEAP_GROWTH_LIMIT) {
    violations.push(
      `heap after GC grew ${mib(memory.heapEnd - memory.heapBaseline)} MiB (limit ${mib(HEAP_GROWTH_LIMIT)})`,
    )
  }
  return memory
}

function checkEnd(run, violations) {
  if (!run.finalInTime) {
    violations.push('the client did not settle its requests and close within the drain limit')
    return undefined
  }
  const { fds, fdsBaseline, extraFds } = run.final
  if (fds > fdsBaseline) {
    const list = extraFds.map((f) => `${f.fd} -> ${f.target}`).join(', ')
    violations.push(`${fds - fdsBaseline} file descriptors still open after close: ${list}`)
  }
  if (!run.exit) violations.push('the client process did not exit by itself after its last request')
  else if (run.exit.code !== 0) {
    violations.push(`the client process exited with ${run.exit.code ?? run.exit.signal}`)
  }
  return { fds, fdsBaseline }
}

// A run that never exercised a part of the workload proves nothing about it.
function checkCoverage(judged, deliveries, events, violations) {
  for (const lane of ['h1', 'tls', 'h2', 'race-h1', 'race-h2']) {
    for (const via of ['client', 'fetch']) {
      if (
        !judged.some((j) => j.verdict === 'ok' && j.request.lane === lane && j.request.via === via)
      ) {
        violations.push(`no successful request on ${lane} through ${via}`)
      }
    }
  }
  const retried = [...deliveries.values()].reduce((sum, row) => sum + row.injectedRetried, 0)
  if (retried === 0) violations.push('no injected 503 was retried')
  if (events.restarts.length !== 2)
    violations.push(`${events.restarts.length} restarts instead of 2`)
}

export function printSummary(report, env) {
  const out = []
  const { judged, memory, fds, events, deliveries } = report
  out.push(
    `Soak: ${env.minutes} min, ${env.concurrency} workers + 2 keep-alive racers, nginx ${env.nginx}, ` +
      `Node ${env.node}, ${env.cores} cores, load average ${env.load.map((l) => l.toFixed(1)).join(' -> ')}; ` +
      `${events.reloads.length} reloads, ${events.restarts.length} restarts ` +
      `(down ${events.restarts.map((w) => `${w.to - w.from} ms`).join(', ')})`,
    '',
    '| lane | via | requests | ok | expected errors | other errors | p50 ms | p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  )
  const lanes = groupBy(judged, (j) => `${j.request.lane} | ${j.request.via}`)
  for (const [key, rows] of [...[...lanes].sort(byKey), ['total | all', judged]]) {
    const ok = rows.filter((j) => j.verdict === 'ok')
    const latencies = ok.filter((j) => j.request.expected === undefined).map((j) => j.request.ms)
    out.push(
      `| ${key} | ${rows.length} | ${ok.length} | ${count(rows, 'expected')} | ` +
        `${rows.length - ok.length - count(rows, 'expected')} | ${quantile(latencies, 0.5)} | ${quantile(latencies, 0.99)} |`,
    )
  }
  out.push(
    '',
    '| error (code or outcome) | count | expected | restart windows | POST not resent | violation |',
  )
  out.push('|---|--:|--:|--:|--:|--:|')
  const failures = judged.filter((j) => j.verdict !== 'ok')
  for (const [code, rows] of [...groupBy(failures, (j) => outcomeName(j.request))].sort(byKey)) {
    out.push(
      `| ${code} | ${rows.length} | ${count(rows, 'expected')} | ${count(rows, 'restart')} | ` +
        `${count(rows, 'not-resent')} | ${count(rows, 'violation')} |`,
    )
  }
  out.push(
    '',
    '| by id | issued | ok | failed, processed | failed, not processed | deliveries | replays | injected 503s retried |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  )
  for (const [kind, row] of [...deliveries].sort(byKey)) {
    out.push(
      `| ${kind} | ${row.issued} | ${row.ok} | ${row.failedProcessed} | ${row.failedUnprocessed} | ` +
        `${row.deliveries} | ${row.replays} | ${row.injectedRetried} |`,
    )
  }
  out.push(
    '',
    '| RSS start | RSS warm-up peak | RSS peak after | RSS end | heap after GC, warm-up | heap after GC, end | fds baseline | fds end |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| ${mib(memory.rssStart)} MiB | ${mib(memory.rssWarmPeak)} MiB | ${mib(memory.rssPeakAfter)} MiB | ` +
      `${mib(memory.rssEnd)} MiB | ${mib(memory.heapBaseline)} MiB | ${mib(memory.heapEnd)} MiB | ` +
      `${fds?.fdsBaseline ?? '-'} | ${fds?.fds ?? '-'} |`,
    '',
  )
  const shown = report.violations.slice(0, 30)
  out.push(
    report.violations.length === 0
      ? 'Violations: none'
      : `Violations (${report.violations.length}):\n${shown.map((v) => `- ${v}`).join('\n')}` +
          (report.violations.length > shown.length
            ? `\n- ... ${report.violations.length - shown.length} more`
            : ''),
  )
  process.stdout.write(`${out.join('\n')}\n`)
}

function outcomeName(r) {
  if (r.outcome === 'error') return r.code + (r.phase ? ` (${r.phase})` : '')
  if (r.outcome === 'status') return `HTTP ${r.status}`
  return r.outcome
}

function details(r) {
  const attempts = r.attempts === undefined ? '' : ` after ${r.attempts} attempt(s)`
  const injected = r.failFirst ? `, ${r.failFirst} 503(s) injected` : ''
  return `${outcomeName(r)}${attempts}${injected}${r.message ? `: ${r.message}` : ''}`
}

function label(r) {
  return `${r.kind} ${r.lane} via ${r.via}${r.id ? ` ${r.id}` : ''} (${r.size} B)`
}

// When a request started, and how long after the last reload or restart.
function when(r, run) {
  const since = (t) => `${((r.at - t) / 1000).toFixed(1)} s`
  const reload = run.events.reloads.filter((t) => t <= r.at).at(-1)
  const restart = run.events.restarts.filter((w) => w.from <= r.at).at(-1)
  return (
    ` [at ${since(run.started.at)}` +
    (reload ? `, ${since(reload)} after a reload` : '') +
    (restart ? `, ${since(restart.to)} after a restart` : '') +
    ']'
  )
}

function groupBy(items, key) {
  const groups = new Map()
  for (const item of items) {
    const k = key(item)
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k).push(item)
  }
  return groups
}

function byKey([a], [b]) {
  return a.localeCompare(b)
}

function count(rows, verdict) {
  return rows.filter((j) => j.verdict === verdict).length
}

function quantile(values, q) {
  if (values.length === 0) return '-'
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1)
}

function mib(bytes) {
  return bytes === undefined ? '-' : (bytes / MiB).toFixed(1)
}
