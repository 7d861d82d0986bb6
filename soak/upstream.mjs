// The soak's application server, behind nginx (proxy_pass): it stores PUT bodies, processes
// POSTs once per Idempotency-Key, serves known blobs and slow answers, injects 503s on
// request, and counts every delivery so the harness can prove nothing was lost or duplicated.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'

// blobs: Map<size, Buffer>, the same bytes nginx serves as static files.
export async function startUpstream(blobs) {
  // id (Idempotency-Key, x-soak-id or the PUT/GET id) -> deliveries seen for it.
  const deliveries = new Map()
  const server = http.createServer((req, res) => {
    const hash = createHash('sha256')
    let length = 0
    req.on('data', (chunk) => {
      hash.update(chunk)
      length += chunk.length
    })
    req.on('end', () => handle(req, res, { sha256: hash.digest('hex'), length }))
  })

  function handle(req, res, body) {
    const url = new URL(req.url, 'http://upstream')
    const id = req.headers['idempotency-key'] ?? req.headers['x-soak-id']
    const record = id === undefined ? undefined : delivery(id, req.method)
    if (record) record.arrivals += 1
    // x-soak-fail-first: n answers 503 to the first n deliveries of this id, before any work.
    const failFirst = Number(req.headers['x-soak-fail-first'] ?? 0)
    if (record && record.injected < failFirst) {
      record.injected += 1
      return reply(res, 503, { injected: true })
    }
    if (req.method === 'GET' && url.pathname.startsWith('/u/blob/')) {
      const blob = blobs.get(Number(url.pathname.slice('/u/blob/'.length)))
      if (!blob) return reply(res, 404, { error: 'no such blob' })
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': blob.length,
      })
      return res.end(blob)
    }
    if (req.method === 'GET' && url.pathname.startsWith('/u/slow/')) {
      const timer = setTimeout(() => reply(res, 200, { late: true }), Number(url.pathname.slice(8)))
      return res.on('close', () => clearTimeout(timer))
    }
    if ((req.method === 'PUT' || req.method === 'POST') && record) {
      // The first delivery that is not refused is processed; a later one with the same
      // Idempotency-Key gets the stored result back (a replay) and is not processed again.
      if (record.processed === 0) {
        record.processed = 1
        record.body = body
        return reply(res, 200, { ...body, replay: false })
      }
      record.replays += 1
      return reply(res, 200, { ...record.body, replay: true, received: body })
    }
    return reply(res, 400, { error: `unexpected ${req.method} ${url.pathname} id=${id}` })
  }

  function delivery(id, method) {
    let record = deliveries.get(id)
    if (!record) {
      record = { method, arrivals: 0, injected: 0, processed: 0, replays: 0, body: undefined }
      deliveries.set(id, record)
    }
    return record
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: server.address().port,
    deliveries,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

function reply(res, status, json) {
  const text = JSON.stringify(json)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}
