// nginx from the OS, configured, started and stopped by a harness on 127.0.0.1: the bench's
// `--server nginx` (the same GET routes as bench/server.mjs, /bytes/:n as static files of
// exactly n bytes; POST /echo has no static equivalent, those rows are skipped) and the soak
// (soak/), which brings its own server blocks and reloads and restarts nginx.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { onCpus, startBodyServer, startRustServer } from './spawn-server.mjs'

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

// A fresh prefix directory (`-p`) with the www/ and tmp/ folders the configuration names.
export function nginxPrefix(name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `hyperhttp-${name}-nginx-`))
  mkdirSync(path.join(dir, 'www'), { recursive: true })
  mkdirSync(path.join(dir, 'tmp'))
  return dir
}

// Writes dir/nginx.conf: everything kept inside dir (pid, error log, temp files), runnable
// without root, with `http` (directives and server blocks) as the http block's body.
export function writeNginxConfig(dir, { workers = 1, http }) {
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
  default_type application/octet-stream;
${http}
}
`,
  )
}

// The TLS lines of a server block listening on `port` (protocol: h1 | tls | h2).
export function nginxListen(port, protocol, tls) {
  if (protocol === 'h1') return `listen 127.0.0.1:${port};`
  return `listen 127.0.0.1:${port} ssl${protocol === 'h2' ? ' http2' : ''};
    ssl_certificate ${tls.certPath};
    ssl_certificate_key ${tls.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;`
}

// Runs nginx on dir/nginx.conf in the foreground and resolves once every port accepts a
// connection. `exited` settles when the master process is gone; `signal` sends it one
// (HUP reloads, QUIT stops gracefully, TERM fast). `cpus` (taskset's list) keeps nginx and
// its workers on those processors.
export async function launchNginx({ binary, dir, ports, cpus }) {
  const [file, ...args] = onCpus([binary, '-p', dir, '-c', path.join(dir, 'nginx.conf')], cpus)
  const child = spawn(file, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c) => {
    stderr += c
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const killOnExit = () => child.exitCode === null && child.kill('SIGKILL')
  process.on('exit', killOnExit)
  exited.then(() => process.off('exit', killOnExit))
  const signal = (name) => child.exitCode === null && child.signalCode === null && child.kill(name)
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    if ((await Promise.all(ports.map(canConnect))).every(Boolean)) {
      return { pid: child.pid, signal, exited }
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  let log = ''
  try {
    log = readFileSync(path.join(dir, 'error.log'), 'utf8')
  } catch {}
  signal('SIGKILL')
  throw new Error(`nginx did not start: ${(stderr + log).trim().split('\n').slice(-3).join(' ')}`)
}

// protocol: h1 | tls | h2; sizes: body sizes to serve; tls: { certPath, keyPath }; cpus:
// taskset's processor list for nginx, or undefined.
export async function startNginx({ binary, protocol, sizes, tls, cpus }) {
  const dir = nginxPrefix('bench')
  mkdirSync(path.join(dir, 'www', 'bytes'))
  const unit = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n')
  for (const size of sizes) {
    const buf = Buffer.allocUnsafe(size)
    for (let i = 0; i < size; i += unit.length) unit.copy(buf, i)
    writeFileSync(path.join(dir, 'www', 'bytes', String(size)), buf)
  }
  const port = await freePort()
  writeNginxConfig(dir, {
    workers: process.env.HYPERHTTP_BENCH_NGINX_WORKERS ?? '1',
    http: `  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  http2_max_concurrent_streams 1000;
  gzip off;
  server {
    ${nginxListen(port, protocol, tls)}
    root ${path.join(dir, 'www')};
    location /bytes/ { }
  }`,
  })
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    const nginx = await launchNginx({ binary, dir, ports: [port], cpus })
    const stop = () => {
      nginx.signal('SIGQUIT')
      nginx.exited.then(remove)
    }
    return { port, stop, dir }
  } catch (error) {
    remove()
    throw error
  }
}

// The servers `startServerNamed` starts.
export const SERVER_NAMES = ['hyper', 'nginx']

// The micro-benchmarks' `--server hyper|nginx`: crates/bench-server (`hyper`) or nginx with
// one worker (`nginx`, from the OS) serving a body of `size` bytes over `protocol`, in its own
// process, with a certificate made for this run when there is TLS: { server: { stop }, url,
// tls, label } (`label` names the server for a report). Throws, naming what to install, when
// nginx is asked for and missing.
export async function startServerNamed(name, protocol, size) {
  if (name === 'hyper') {
    const started = await startRustServer(protocol, size)
    return { ...started, label: 'crates/bench-server' }
  }
  const binary = nginxBinary()
  if (!binary) throw new Error(`nginx is not installed: ${NGINX_HINT}`)
  const started = await startBodyServer(protocol, size, (tls) =>
    startNginx({ binary, protocol, sizes: [size], tls }),
  )
  return { ...started, label: `nginx ${nginxVersion(binary)}, 1 worker` }
}

export function freePort() {
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
