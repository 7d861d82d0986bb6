// nginx for the soak: static files of random bytes under /files/, the upstream under /u/, on
// five 127.0.0.1 ports (HTTP/1.1, TLS HTTP/1.1, TLS HTTP/2, and two with a 2 s keep-alive
// timeout where idle connections race their reuse), with reload and restart.
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  freePort,
  launchNginx,
  nginxListen,
  nginxPrefix,
  writeNginxConfig,
} from '../bench/nginx.mjs'

export const SIZES = [200, 10_240, 65_537, 1_048_576, 4_194_304]
export const RACE_KEEPALIVE_S = 2

// Random blobs of every size, written as static files under www/files/.
function writeBlobs(dir) {
  const files = path.join(dir, 'www', 'files')
  mkdirSync(files)
  const blobs = new Map()
  for (const size of SIZES) {
    const blob = randomBytes(size)
    writeFileSync(path.join(files, String(size)), blob)
    blobs.set(size, blob)
  }
  return { files, blobs }
}

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex')
}

// A prefix directory for nginx holding the static files; `files` is also read by the client.
export function prepareSite() {
  const dir = nginxPrefix('soak')
  return { dir, ...writeBlobs(dir) }
}

export async function startSite({ binary, tls, dir, upstreamPort }) {
  const origins = {}
  const servers = []
  for (const [name, protocol, keepalive] of [
    ['h1', 'h1', '60s'],
    ['tls', 'tls', '60s'],
    ['h2', 'h2', '60s'],
    ['race-h1', 'h1', `${RACE_KEEPALIVE_S}s`],
    ['race-h2', 'h2', `${RACE_KEEPALIVE_S}s`],
  ]) {
    const port = await freePort()
    origins[name] = `${protocol === 'h1' ? 'http' : 'https'}://127.0.0.1:${port}`
    servers.push(`  server {
    ${nginxListen(port, protocol, tls)}
    keepalive_timeout ${keepalive};
    root ${path.join(dir, 'www')};
    location /files/ { }
    location /u/ { proxy_pass http://127.0.0.1:${upstreamPort}; }
  }`)
  }
  writeNginxConfig(dir, {
    http: `  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000;
  client_max_body_size 8m;
  gzip off;
${servers.join('\n')}`,
  })
  const ports = Object.values(origins).map((origin) => Number(new URL(origin).port))
  let nginx = await launchNginx({ binary, dir, ports })
  return {
    origins,
    reload: () => nginx.signal('SIGHUP'),
    // A fast shutdown (TERM closes every connection at once, in-flight requests included),
    // then a start on the same ports.
    async restart() {
      nginx.signal('SIGTERM')
      await nginx.exited
      nginx = await launchNginx({ binary, dir, ports })
    },
    async stop() {
      nginx.signal('SIGQUIT')
      await nginx.exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
