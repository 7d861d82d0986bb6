// Starts a load server in a child process and resolves once it listens: bench/server.mjs
// (node) by default, or the hyper server from crates/bench-server (`rustServer()` builds it).
// The server exits with this process: it watches its stdin pipe, and we kill it on exit.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { makeCertificate } from './certificate.mjs'

const root = path.join(import.meta.dirname, '..')

// `cpus` (taskset's list, e.g. "1" or "2-3") keeps the server on those processors.
export async function startServer(args = [], command, cpus) {
  const server = command ?? [process.execPath, path.join(import.meta.dirname, 'server.mjs')]
  const [file, ...prefix] = onCpus(server, cpus)
  const child = spawn(file, [...prefix, '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  process.on('exit', () => child.kill())
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^READY (\d+)$/.exec(line)
    if (match) return { port: Number(match[1]), stop: () => child.kill() }
  }
  throw new Error(`${path.basename(server[0])} exited before printing READY`)
}

// `command` ([file, ...args]) run on the processors `cpus` (taskset's list), or unchanged when
// `cpus` is undefined. taskset execs the command, so the process and its signals are the
// server's own.
export function onCpus(command, cpus) {
  return cpus === undefined ? command : ['taskset', '-c', cpus, ...command]
}

// Builds crates/bench-server (release profile, incremental) and returns the command that
// runs it, or throws with the reason (no cargo, build error).
export function rustServer() {
  const binary = path.join(
    process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'),
    'release',
    process.platform === 'win32' ? 'hyperhttp-bench-server.exe' : 'hyperhttp-bench-server',
  )
  try {
    execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'hyperhttp-bench-server'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (error) {
    const reason =
      error.code === 'ENOENT'
        ? 'cargo not found (install Rust with rustup)'
        : String(error.stderr ?? error.message)
            .trim()
            .split('\n')
            .slice(-3)
            .join(' ')
    throw new Error(`could not build crates/bench-server: ${reason}`)
  }
  if (!existsSync(binary)) throw new Error(`cargo built no ${binary}`)
  return [binary, '--watch-stdin']
}

// The protocols the bench servers speak (crates/bench-server, bench/server.mjs and nginx), with
// their names in reports.
export const PROTOCOLS = {
  h1: 'HTTP/1.1 cleartext',
  tls: 'HTTP/1.1 over TLS',
  h2: 'HTTP/2 over TLS',
}

// What is wrong with `--protocol protocol`, or undefined when it is one of `PROTOCOLS`.
export function protocolProblem(protocol) {
  if (Object.hasOwn(PROTOCOLS, protocol)) return undefined
  return `--protocol must be among ${Object.keys(PROTOCOLS).join(', ')}, not ${JSON.stringify(protocol)}`
}

// The arguments that make either bench server (crates/bench-server or bench/server.mjs)
// speak `protocol` (h1: HTTP/1.1 cleartext, tls: HTTP/1.1 over TLS, h2: HTTP/2 over TLS) with
// the certificate `tls` ({ certPath, keyPath }; unused for h1).
export function serverArgs(protocol, tls) {
  if (protocol === 'h1') return []
  return [protocol === 'h2' ? '--h2' : '--tls', '--cert', tls.certPath, '--key', tls.keyPath]
}

// The hyper server (`rustServer()`) speaking `protocol` (see `serverArgs`): as
// `startBodyServer`.
export function startRustServer(protocol, size) {
  return startBodyServer(protocol, size, (tls) =>
    startServer(serverArgs(protocol, tls), rustServer()),
  )
}

// A server that `start(tls)` starts speaking `protocol`, with a certificate made for this run
// unless the protocol is h1: the server ({ port, stop }), its URL for a body of `size` bytes,
// and the certificate (`ca` for the clients), if any. Throws the `protocolProblem` before
// starting anything.
export async function startBodyServer(protocol, size, start) {
  const problem = protocolProblem(protocol)
  if (problem) throw new Error(problem)
  const tls = protocol === 'h1' ? undefined : makeCertificate()
  const server = await start(tls)
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}/bytes/${size}`
  return { server, url, tls }
}
