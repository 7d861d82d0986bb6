// The clients under comparison, each configured the same way: keep-alive on, at most
// `connections` connections to the server, no decompression. A client's `get(url)` fully
// reads the body into one buffer (as arrayBuffer() does) and returns [status, body length].
import http from 'node:http'
import https from 'node:https'

export const DEFAULT_CLIENTS = [
  'hyperhttp-request',
  'hyperhttp-fetch',
  'undici-request',
  'undici-fetch',
]

export const CLIENTS = {
  'hyperhttp-request': async (opts) => {
    const client = await hyperhttpClient(opts)
    return {
      get: async (url) => {
        const res = await client.get(url)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => client.close(),
    }
  },
  'hyperhttp-fetch': async (opts) => {
    const client = await hyperhttpClient(opts)
    return {
      get: async (url) => {
        const res = await client.fetch(url)
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => client.close(),
    }
  },
  'undici-request': async (opts) => {
    const { request } = await import('undici')
    const dispatcher = await undiciAgent(opts)
    return {
      get: async (url) => {
        const { statusCode, body } = await request(url, { dispatcher })
        return [statusCode, (await body.arrayBuffer()).byteLength]
      },
      close: () => dispatcher.close(),
    }
  },
  'undici-fetch': async (opts) => {
    const { fetch } = await import('undici')
    const dispatcher = await undiciAgent(opts)
    return {
      get: async (url) => {
        const res = await fetch(url, { dispatcher })
        return [res.status, (await res.arrayBuffer()).byteLength]
      },
      close: () => dispatcher.close(),
    }
  },
  'node-http': async ({ connections, protocol, ca }) => {
    if (protocol === 'h2') throw new Error('node-http speaks HTTP/1.1 only')
    const mod = protocol === 'tls' ? https : http
    const agent = new mod.Agent({
      keepAlive: true,
      maxSockets: connections,
      ca,
    })
    return {
      get: (url) =>
        new Promise((resolve, reject) => {
          mod
            .get(url, { agent }, (res) => {
              const chunks = []
              res.on('data', (chunk) => chunks.push(chunk))
              res.on('end', () => resolve([res.statusCode, Buffer.concat(chunks).byteLength]))
              res.on('error', reject)
            })
            .on('error', reject)
        }),
      close: () => agent.destroy(),
    }
  },
}

async function hyperhttpClient({ connections, protocol, ca }) {
  const { Client } = await import('../dist/esm/index.js')
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
