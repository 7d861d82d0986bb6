import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'

/** A real proxy server started for one test file, on 127.0.0.1 with its own files. */
export interface RealProxy {
  /** `http://127.0.0.1:<port>` or `socks5://127.0.0.1:<port>`. */
  url: string
  port: number
  /** The proxy's log of what it forwarded (squid: access.log; dante: its log). */
  log(): string
  stop(): Promise<void>
}

const SQUID = '/usr/sbin/squid'
const SQUID_NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth'
const DANTE = '/usr/sbin/danted'

/**
 * Why `binary` cannot be used, or `null` when it can. In CI (`CI=true`) a missing binary
 * throws instead: `.ci/run` installs it, so its absence there is a failure, never a skip.
 */
export function missing(binary: string, debianPackage: string): string | null {
  try {
    accessSync(binary, constants.X_OK)
    return null
  } catch {
    const reason = `${binary} not found: install the Debian package ${debianPackage} (.ci/run does)`
    if (process.env.CI === 'true') throw new Error(reason)
    console.warn(`skipping: ${reason}`)
    return reason
  }
}

export const squidMissing = (): string | null => missing(SQUID, 'squid')
export const danteMissing = (): string | null => missing(DANTE, 'dante-server')

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

/**
 * A directory the proxy can write to: run as root, squid and dante switch to an unprivileged
 * user (`proxy`, `nobody`) that must still reach their config, logs and password file.
 */
function workDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hyperhttp-${name}-`))
  chmodSync(dir, 0o777)
  return dir
}

/** Resolves once `port` accepts connections; rejects when the process exits first. */
async function listening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (exited) throw new Error(`proxy exited before listening:\n${output()}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`proxy not listening on ${port} after 20 s:\n${output()}`)
}

function started(
  child: ChildProcess,
  dir: string,
  url: string,
  port: number,
  logFile: string,
): RealProxy {
  return {
    url,
    port,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8')
      } catch {
        return ''
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit')
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface SquidOptions {
  /** Require basic authentication with this user (checked by squid's basic_ncsa_auth). */
  auth?: { user: string; password: string }
  /** Also accept TLS (an `https:` proxy) with this certificate and key (PEM text). */
  tls?: { cert: string; key: string }
}

/** Squid, with `httpsUrl` when it was started with `tls`. */
export interface Squid extends RealProxy {
  httpsUrl: string
}

/** Squid as a forwarding and CONNECT proxy, foreground, logging each request to access.log. */
export async function startSquid(options: SquidOptions = {}): Promise<Squid> {
  const dir = workDir('squid')
  const port = await freePort()
  const access = join(dir, 'access.log')
  const lines = [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `access_log stdio:${access}`,
    `cache_log ${join(dir, 'cache.log')}`,
    'cache_store_log none',
    'cache deny all',
    'cache_mem 8 MB',
    `coredump_dir ${dir}`,
    'shutdown_lifetime 0 seconds',
    // Loopback only: the origins of the tests.
    'acl loopback dst 127.0.0.0/8 ::1',
  ]
  const httpsPort = await freePort()
  if (options.tls) {
    // Copies: the unprivileged squid user may not read the test run's own files.
    writeFileSync(join(dir, 'cert.pem'), options.tls.cert, { mode: 0o644 })
    writeFileSync(join(dir, 'key.pem'), options.tls.key, { mode: 0o644 })
    const files = `tls-cert=${join(dir, 'cert.pem')} tls-key=${join(dir, 'key.pem')}`
    lines.push(`https_port 127.0.0.1:${httpsPort} ${files}`)
  }
  if (options.auth) {
    const passwords = join(dir, 'htpasswd')
    const hash = execFileSync('openssl', ['passwd', '-apr1', options.auth.password], {
      encoding: 'utf8',
    }).trim()
    writeFileSync(passwords, `${options.auth.user}:${hash}\n`, { mode: 0o644 })
    lines.push(
      `auth_param basic program ${SQUID_NCSA_AUTH} ${passwords}`,
      'auth_param basic children 1',
      'auth_param basic realm hyperhttp-test',
      'acl authenticated proxy_auth REQUIRED',
      'http_access deny !authenticated',
    )
  }
  lines.push('http_access allow loopback', 'http_access deny all')
  const config = join(dir, 'squid.conf')
  writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o644 })
  let output = ''
  const child = spawn(SQUID, ['-f', config, '-N', '-d', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (c: Buffer) => {
    output += c
  })
  child.stderr?.on('data', (c: Buffer) => {
    output += c
  })
  await listening(child, port, () => output)
  if (options.tls) await listening(child, httpsPort, () => output)
  return {
    ...started(child, dir, `http://127.0.0.1:${port}`, port, access),
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
  }
}

/** Dante as a SOCKS5 server without authentication, logging each connection. */
export async function startDante(): Promise<RealProxy> {
  const dir = workDir('dante')
  const port = await freePort()
  const log = join(dir, 'danted.log')
  const lines = [
    `logoutput: ${log}`,
    `internal: 127.0.0.1 port = ${port}`,
    'external: 127.0.0.1',
    'clientmethod: none',
    'socksmethod: none',
    // Run as root, dante needs an unprivileged user to switch to; otherwise it runs as is.
    ...(process.getuid?.() === 0 ? ['user.unprivileged: nobody'] : []),
    'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect error }',
    'socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 log: connect error }',
    'socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 log: connect error }',
  ]
  const config = join(dir, 'danted.conf')
  writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o644 })
  let output = ''
  const child = spawn(DANTE, ['-f', config, '-p', join(dir, 'danted.pid'), '-N', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (c: Buffer) => {
    output += c
  })
  child.stderr?.on('data', (c: Buffer) => {
    output += c
  })
  await listening(child, port, () => output)
  return started(child, dir, `socks5://127.0.0.1:${port}`, port, log)
}

/**
 * The proxy's log once it holds a line matching `pattern` (squid logs a tunnel when it closes).
 * Waits up to 15 s.
 */
export async function logLine(proxy: RealProxy, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const line = proxy
      .log()
      .split('\n')
      .find((l) => pattern.test(l))
    if (line !== undefined) return line
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no line matching ${pattern} in the proxy's log:\n${proxy.log()}`)
}

/** Starts a proxy before the tests of the calling file and stops it after them. */
export function useProxy<P extends RealProxy>(start: () => Promise<P>): () => P {
  let proxy: P | undefined
  beforeAll(async () => {
    proxy = await start()
  })
  afterAll(() => proxy?.stop())
  return () => {
    if (proxy === undefined) throw new Error('the proxy did not start')
    return proxy
  }
}
