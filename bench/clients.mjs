// The clients under comparison, each configured the same way: keep-alive on, at most
// `connections` connections to the server, no decompression. A client's `get(url)` and
// `send(method, url, body)` (body: a string or Buffer sent with `content-type:
// contentType`, or undefined) fully read the response body into one buffer (as
// arrayBuffer() does) and return [status, body length]. `get` is kept apart so the GET
// rows measure each client's plainest call.
//
// A factory throws `new Skip(reason)` when the client cannot run this configuration (e.g.
// an HTTP/1.1-only client asked for HTTP/2); the row is then shown as skipped with the reason.
import http from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { PYTHON_CLIENTS } from './python.mjs'

export class Skip extends Error {}

// The request headers of a body: its content type, or none without a body. Made once per
// process (one object shared by every request, as a program would keep it).
export function typedHeaders(contentType) {
  const headers = { 'content-type': contentType }
  const none = {}
  return (body) => (body === undefined ? none : headers)
}

// Every client known here, in table order; the default run measures them all.
export const ALL_CLIENTS = [
  'hyperhttp-request',
  'hyperhttp-fetch',
  'hyperhttp-newconn',
  'undici-request',
  'undici-fetch',
  'undici-pool',
  'undici-newconn',
  'node-http',
  'axios',
  'got',
  'node-fetch',
  'impit',
  'wreq-js',
  ...PYTHON_CLIENTS,
]
export const DEFAULT_CLIENTS = ALL_CLIENTS

export const CLIENTS = {
  'hyperhttp-request': async (opts) => {
    const client = await hyperhttpClient(opts)
    const { typed } = opts
    return {
      get: async (url) => {
        const res = await client.get(url)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      // client.post / put / patch / delete: the per-method call a user writes.
      send: async (method, url, body) => {
        const res = await client[method.toLowerCase()](url, { body, headers: typed(body) })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => client.close(),
    }
  },
  'hyperhttp-fetch': async (opts) => {
    const client = await hyperhttpClient(opts)
    const { typed } = opts
    return {
      get: async (url) => {
        const res = await client.fetch(url)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await client.fetch(url, { method, body, headers: typed(body) })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => client.close(),
    }
  },
  // A new connection for every request: `connection: close` makes the server and the client
  // drop the connection once the response is read, so the next request connects again.
  'hyperhttp-newconn': async (opts) => {
    if (opts.protocol === 'h2') throw new Skip('connection: close is HTTP/1.1 only')
    const client = await hyperhttpClient(opts)
    const { typed } = opts
    const headers = { connection: 'close' }
    return {
      get: async (url) => {
        const res = await client.get(url, { headers })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await client.request({
          method,
          url,
          body,
          headers: { ...headers, ...typed(body) },
        })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => client.close(),
    }
  },
  'undici-request': async (opts) => {
    const { request } = await import('undici')
    const dispatcher = await undiciAgent(opts)
    return undiciRequestClient(request, dispatcher, opts.typed, {})
  },
  // undici's `reset: true` closes the connection after the request (sends connection: close).
  'undici-newconn': async (opts) => {
    if (opts.protocol === 'h2') throw new Skip('connection: close is HTTP/1.1 only')
    const { request } = await import('undici')
    const dispatcher = await undiciAgent(opts)
    return undiciRequestClient(request, dispatcher, opts.typed, { reset: true })
  },
  // undici's Pool for the one origin, its own request() (no Agent routing in between).
  'undici-pool': async ({ connections, protocol, ca, origin, typed }) => {
    const { Pool } = await import('undici')
    const options = { connections, allowH2: protocol === 'h2' }
    if (ca) options.connect = { ca }
    const pool = new Pool(origin, options)
    const pathOf = (url) => url.slice(origin.length)
    return {
      get: async (url) => {
        const { statusCode, body } = await pool.request({ path: pathOf(url), method: 'GET' })
        return [statusCode, (await body.arrayBuffer()).byteLength]
      },
      send: async (method, url, data) => {
        const { statusCode, body } = await pool.request({
          path: pathOf(url),
          method,
          body: data,
          headers: typed(data),
        })
        return [statusCode, (await body.arrayBuffer()).byteLength]
      },
      close: () => pool.close(),
    }
  },
  'undici-fetch': async (opts) => {
    const { fetch } = await import('undici')
    const dispatcher = await undiciAgent(opts)
    const { typed } = opts
    return {
      get: async (url) => {
        const res = await fetch(url, { dispatcher })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await fetch(url, { method, body, headers: typed(body), dispatcher })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => dispatcher.close(),
    }
  },
  // node:http(s) with a keep-alive Agent; over HTTP/2, one node:http2 session (multiplexed).
  'node-http': async ({ connections, protocol, ca, origin, typed }) => {
    if (protocol === 'h2') return nodeHttp2(origin, ca, typed)
    const mod = protocol === 'tls' ? https : http
    const agent = new mod.Agent({ keepAlive: true, maxSockets: connections, ca })
    const send = (url, method, body) =>
      new Promise((resolve, reject) => {
        const headers =
          body === undefined ? {} : { ...typed(body), 'content-length': Buffer.byteLength(body) }
        const req = mod.request(url, { agent, method, headers }, (res) => {
          const chunks = []
          res.on('data', (chunk) => chunks.push(chunk))
          res.on('end', () => resolve([res.statusCode, Buffer.concat(chunks).byteLength]))
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(body)
      })
    return {
      get: (url) => send(url, 'GET'),
      send: (method, url, body) => send(url, method, body),
      close: () => agent.destroy(),
    }
  },
  axios: async ({ connections, protocol, ca, typed }) => {
    if (protocol === 'h2') throw new Skip('axios speaks HTTP/1.1 only (node adapter)')
    const { default: axios } = await import('axios')
    const agentOptions = { keepAlive: true, maxSockets: connections }
    const instance = axios.create({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent({ ...agentOptions, ca }),
      responseType: 'arraybuffer',
      decompress: false,
      validateStatus: () => true,
      maxContentLength: Number.POSITIVE_INFINITY,
      maxBodyLength: Number.POSITIVE_INFINITY,
    })
    return {
      get: async (url) => {
        const res = await instance.get(url)
        return [res.status, res.data.byteLength]
      },
      send: async (method, url, body) => {
        const res = await instance.request({ method, url, data: body, headers: typed(body) })
        return [res.status, res.data.byteLength]
      },
      close: () => {
        instance.defaults.httpAgent.destroy()
        instance.defaults.httpsAgent.destroy()
      },
    }
  },
  got: async ({ connections, protocol, ca, typed }) => {
    const { default: got } = await import('got')
    const agentOptions = { keepAlive: true, maxSockets: connections }
    const agent = {
      http: new http.Agent(agentOptions),
      https: new https.Agent({ ...agentOptions, ca }),
    }
    const instance = got.extend({
      agent: protocol === 'h2' ? undefined : agent,
      http2: protocol === 'h2',
      https: ca ? { certificateAuthority: ca } : undefined,
      decompress: false,
      retry: { limit: 0 },
      throwHttpErrors: false,
      responseType: 'buffer',
    })
    return {
      get: async (url) => {
        const res = await instance.get(url)
        return [res.statusCode, res.body.byteLength]
      },
      send: async (method, url, body) => {
        const res = await instance(url, { method, body, headers: typed(body) })
        return [res.statusCode, res.body.byteLength]
      },
      close: () => {
        agent.http.destroy()
        agent.https.destroy()
      },
    }
  },
  'node-fetch': async ({ connections, protocol, ca, typed }) => {
    if (protocol === 'h2') throw new Skip('node-fetch speaks HTTP/1.1 only')
    const { default: fetch } = await import('node-fetch')
    const mod = protocol === 'tls' ? https : http
    const agent = new mod.Agent({ keepAlive: true, maxSockets: connections, ca })
    return {
      get: async (url) => {
        const res = await fetch(url, { agent, compress: false })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await fetch(url, { method, body, headers: typed(body), agent, compress: false })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => agent.destroy(),
    }
  },
  // impit (reqwest): no connection limit option, no custom CA: TLS runs skip verification.
  // Without browser emulation it offers only HTTP/1.1 in ALPN, so the h2 rows use its
  // 'chrome' profile (which also adds that browser's request headers).
  impit: async ({ protocol, typed }) => {
    const { Impit } = await import('impit')
    const impit = new Impit({
      ignoreTlsErrors: protocol !== 'h1',
      http3: false,
      browser: protocol === 'h2' ? 'chrome' : undefined,
    })
    return {
      get: async (url) => {
        const res = await impit.fetch(url)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await impit.fetch(url, { method, body, headers: typed(body) })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => {},
    }
  },
  // wreq-js: a transport with the connection limit; no custom CA: TLS runs use `insecure`.
  'wreq-js': async ({ connections, protocol, typed }) => {
    const { createTransport, fetch } = await import('wreq-js')
    const transport = await createTransport({
      insecure: protocol !== 'h1',
      poolMaxSize: connections,
      poolMaxIdlePerHost: connections,
    })
    const init = { transport, compress: false, disableDefaultHeaders: true }
    return {
      get: async (url) => {
        const res = await fetch(url, init)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      send: async (method, url, body) => {
        const res = await fetch(url, { ...init, method, body, headers: typed(body) })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => transport.close?.(),
    }
  },
}

function undiciRequestClient(request, dispatcher, typed, extra) {
  return {
    get: async (url) => {
      const { statusCode, body } = await request(url, { dispatcher, ...extra })
      return [statusCode, (await body.arrayBuffer()).byteLength]
    },
    send: async (method, url, data) => {
      const { statusCode, body } = await request(url, {
        dispatcher,
        method,
        body: data,
        headers: typed(data),
        ...extra,
      })
      return [statusCode, (await body.arrayBuffer()).byteLength]
    },
    close: () => dispatcher.close(),
  }
}

function nodeHttp2(origin, ca, typed) {
  const session = http2.connect(origin, { ca })
  session.on('error', () => {})
  const send = (url, method, body) =>
    new Promise((resolve, reject) => {
      const headers = { ':method': method, ':path': url.slice(origin.length), ...typed(body) }
      const stream = session.request(headers, { endStream: body === undefined })
      let status = 0
      const chunks = []
      stream.on('response', (h) => {
        status = h[':status']
      })
      stream.on('data', (chunk) => chunks.push(chunk))
      stream.on('end', () => resolve([status, Buffer.concat(chunks).byteLength]))
      stream.on('error', reject)
      if (body !== undefined) stream.end(body)
    })
  return {
    get: (url) => send(url, 'GET'),
    send: (method, url, body) => send(url, method, body),
    close: () => session.close(),
  }
}

/**
 * The package root of the hyperhttp build the `hyperhttp-*` rows measure: another build's
 * (`HYPERHTTP_BENCH_BUILD`, its dist/ and addon, for A/B runs), or undefined for this checkout.
 */
export function hyperhttpBuild() {
  return process.env.HYPERHTTP_BENCH_BUILD || undefined
}

/**
 * The `Client` every `hyperhttp-*` row uses (of `hyperhttpBuild()`'s build when one is set),
 * for tools that need its responses themselves (their `timings`), not the row's call.
 */
export async function hyperhttpClient({ connections, protocol, ca }) {
  const build = hyperhttpBuild()
  const entry = build
    ? pathToFileURL(path.join(build, 'dist/esm/index.js')).href
    : '../dist/esm/index.js'
  const { Client } = await import(entry)
  const options = {
    limits: { maxConnections: connections, maxConnectionsPerHost: connections },
    decompress: false,
    http2: protocol === 'h2',
  }
  if (ca) options.tls = { ca }
  return new Client(options)
}

async function undiciAgent({ connections, protocol, ca }) {
  const { Agent } = await import('undici')
  const options = { connections, allowH2: protocol === 'h2' }
  if (ca) options.connect = { ca }
  return new Agent(options)
}
