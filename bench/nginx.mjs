// `--server nginx`: nginx from the OS serving the same GET routes as bench/server.mjs
// (/bytes/:n as static files of exactly n bytes) on 127.0.0.1, configured, started and
// stopped by the harness. POST /echo has no static equivalent: those rows are skipped.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const NGINX_HINT = 'apt-get install nginx-light (Debian/Ubuntu) or your OS package of nginx'

export function nginxBinary() {
  for (const candidate of [process.env.HYPERHTTP_BENCH_NGINX, 'nginx', '/usr/sbin/nginx']) {
    if (!candidate) continue
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' })
      return candidate
    } catch {}
  }
  return undefined
}

export function nginxVersion(binary) {
  const { stdout, stderr } = spawnSync(binary, ['-v'], { encoding: 'utf8' })
  return /nginx\/(\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown'
}

// protocol: h1 | tls | h2; sizes: body sizes to serve; tls: { certPath, keyPath }.
export async function startNginx({ binary, protocol, sizes, tls }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hyperhttp-bench-nginx-'))
  mkdirSync(path.join(dir, 'www', 'bytes'), { recursive: true })
  mkdirSync(path.join(dir, 'tmp'))
  const unit = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n')
  for (const size of sizes) {
    const buf = Buffer.allocUnsafe(size)
    for (let i = 0; i < size; i += unit.length) unit.copy(buf, i)
    writeFileSync(path.join(dir, 'www', 'bytes', String(size)), buf)
  }
  const port = await freePort()
  const workers = process.env.HYPERHTTP_BENCH_NGINX_WORKERS ?? '1'
  const listen =
    protocol === 'h1'
      ? `listen 127.0.0.1:${port};`
      : `listen 127.0.0.1:${port} ssl${protocol === 'h2' ? ' http2' : ''};
    ssl_certificate ${tls.certPath};
    ssl_certificate_key ${tls.keyPath};`
  const tmp = path.join(dir, 'tmp')
  const user = process.getuid?.() === 0 ? 'user root;' : ''
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${user}
worker_processes ${workers};
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  http2_max_concurrent_streams 1000;
  gzip off;
  default_type application/octet-stream;
  server {
    ${listen}
    root ${path.join(dir, 'www')};
    location /bytes/ { }
  }
}
`,
  )
  const child = spawn(binary, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c) => {
    stderr += c
  })
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGQUIT')
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', () => child.exitCode === null && child.kill('SIGKILL'))
  // Ready when the port accepts a connection.
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    if (await canConnect(port)) return { port, stop, dir }
    await new Promise((r) => setTimeout(r, 50))
  }
  let log = ''
  try {
    log = readFileSync(path.join(dir, 'error.log'), 'utf8')
  } catch {}
  stop()
  throw new Error(`nginx did not start: ${(stderr + log).trim().split('\n').slice(-3).join(' ')}`)
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}
