// The release steps of .github/workflows/release.yml, narrowed to one target at a time, and the
// probes that prove an installed package works. Shared by check-package.mjs (linux-x64-gnu,
// `npm run test:package`) and check-platforms.mjs (the cross-compiled Linux targets,
// `npm run test:platforms`).
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

export class CheckFailure extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailure(message)
}

/** A logger whose lines name the script: `[check-package] ...`. */
export function logger(name) {
  return (message) => console.log(`[${name}] ${message}`)
}

/** `linux-arm64-gnu` → `@hyperhttp/binding-linux-arm64-gnu`. */
export function bindingPackageName(platform) {
  return `${rootPackage.napi.packageName}-${platform}`
}

/** `linux-arm64-gnu` → `hyperhttp.linux-arm64-gnu.node`. */
export function binaryFileName(platform) {
  return `${rootPackage.napi.binaryName}.${platform}.node`
}

/** Runs a command to completion (asynchronously, so a local server keeps answering). */
export function run(command, args, { cwd = root, env = process.env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    })
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout)
      else {
        const shown = capture && stdout ? `\n${stdout}` : ''
        reject(
          new CheckFailure(
            `${command} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}${shown}`,
          ),
        )
      }
    })
  })
}

/** The script file of a dev dependency's command, run with this Node. */
export function devBin(packageName, command) {
  const require = createRequire(join(root, 'package.json'))
  const manifestPath = require.resolve(`${packageName}/package.json`)
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'))
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin[command])
}

export function napiCli() {
  return devBin('@napi-rs/cli', 'napi')
}

export function npmCli() {
  const fromNpmRun = process.env.npm_execpath
  if (fromNpmRun?.endsWith('npm-cli.js')) return fromNpmRun
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm')
    if (dir && existsSync(candidate)) return realpathSync(candidate)
  }
  throw new CheckFailure('npm not found on PATH')
}

/** The environment a user without Rust has: no cargo, rustc or rustup anywhere on PATH. */
export function toolchainFreeEnv() {
  const env = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(CARGO|RUSTUP|RUSTC|RUST_)|^npm_/i.test(name)) env[name] = value
  }
  const hasToolchain = (dir) =>
    /cargo|rustup/i.test(dir) ||
    ['cargo', 'rustc', 'rustup'].some((tool) => existsSync(join(dir, tool)))
  // node_modules entries are what `npm run` adds for this repository; a user has none.
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !hasToolchain(dir) && !dir.includes('node_modules'))
    .join(delimiter)
  for (const tool of ['cargo', 'rustc']) {
    const probe = spawnSync(tool, ['--version'], { env })
    check(probe.error?.code === 'ENOENT', `${tool} is still reachable with PATH=${env.PATH}`)
  }
  return env
}

export function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]} (${bytes} bytes)`
}

/**
 * `napi build --profile dist` for one target into `outputDir`; `flags` and `env` carry the
 * cross-compilation choice (e.g. `--cross-compile` and a Cargo target folder of its own).
 */
export async function buildBinary({ target, platform, outputDir, flags = [], env = process.env }) {
  const started = Date.now()
  await run(
    process.execPath,
    [
      napiCli(),
      'build',
      '--platform',
      '--profile',
      'dist',
      '--target',
      target,
      ...flags,
      '--manifest-path',
      'crates/node/Cargo.toml',
      '--package-json-path',
      'package.json',
      '--output-dir',
      outputDir,
      '--no-js',
    ],
    { env },
  )
  const seconds = Math.round((Date.now() - started) / 1000)
  const binary = join(outputDir, binaryFileName(platform))
  check(existsSync(binary), `napi build did not produce ${binary}`)
  return { binary, seconds }
}

/**
 * A copy of what the main package publishes, where the napi CLI may rewrite package.json. As
 * in the publish job, `prepare` goes: it builds the addon in a checkout and means nothing to
 * an installed package.
 */
export async function stageMainPackage(stage, npm) {
  for (const entry of ['package.json', 'README.md', ...rootPackage.files]) {
    check(existsSync(join(root, entry)), `${entry} is missing; run npm run build:ts first`)
    cpSync(join(root, entry), join(stage, entry), { recursive: true })
  }
  await run(process.execPath, [npm, 'pkg', 'delete', 'scripts.prepare'], { cwd: stage })
}

/**
 * The publish job's napi steps for one target whose binary is in `<stage>/artifacts`:
 * generates its platform package, copies the binary in and adds it to the staged main
 * package's optionalDependencies. Returns the platform package's folder.
 */
export async function assemblePackages(stage, work, { target, platform, os, cpu, libc }) {
  const napi = napiCli()
  const config = join(work, `napi.${platform}.json`)
  writeFileSync(config, JSON.stringify({ ...rootPackage.napi, targets: [target] }))
  const common = ['--cwd', stage, '--config-path', config]
  await run(process.execPath, [napi, 'create-npm-dirs', ...common, '--npm-dir', 'npm'])
  await run(process.execPath, [
    napi,
    'artifacts',
    ...common,
    '--npm-dir',
    'npm',
    '--output-dir',
    'artifacts',
  ])
  await run(process.execPath, [
    napi,
    'pre-publish',
    ...common,
    '--npm-dir',
    'npm',
    '--tag-style',
    'npm',
    '--skip-optional-publish',
    '--no-gh-release',
  ])

  const bindingPackage = bindingPackageName(platform)
  const staged = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'))
  check(
    staged.optionalDependencies?.[bindingPackage] === rootPackage.version,
    `napi pre-publish did not add ${bindingPackage}@${rootPackage.version} to optionalDependencies`,
  )
  const binding = JSON.parse(readFileSync(join(stage, 'npm', platform, 'package.json'), 'utf8'))
  check(
    binding.os?.[0] === os && binding.cpu?.[0] === cpu && binding.libc?.[0] === libc,
    `${bindingPackage} has os ${binding.os}, cpu ${binding.cpu}, libc ${binding.libc}`,
  )
  return join(stage, 'npm', platform)
}

export async function pack(dir, destination, npm) {
  const output = await run(
    process.execPath,
    [npm, 'pack', '--json', '--ignore-scripts', '--pack-destination', destination],
    { cwd: dir, capture: true },
  )
  const [result] = JSON.parse(output)
  return {
    ...result,
    path: join(destination, result.filename),
    paths: result.files.map((file) => file.path),
  }
}

/** The npm install arguments for packed tarballs: offline, with a cache of its own. */
export function offlineInstallArgs(work) {
  return ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(work, 'npm-cache')]
}

export function startServer() {
  const hits = []
  const server = createServer((req, res) => {
    hits.push(req.url)
    res.setHeader('content-type', 'text/plain')
    res.end(`hello ${req.method} ${req.url}`)
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, hits, url: `http://127.0.0.1:${server.address().port}` }),
    )
  })
}

const esmProbe = (bindingPackage) => `import { createRequire } from 'node:module'
import { Client, fetch } from 'hyperhttp'
const url = process.argv[2]
const fetched = await fetch(url + '/esm/fetch')
const client = new Client({ baseUrl: url })
try {
  const got = await client.get('/esm/client')
  console.log(JSON.stringify({
    arch: process.arch,
    entry: import.meta.resolve('hyperhttp'),
    binding: createRequire(import.meta.url).resolve('${bindingPackage}'),
    responses: [[fetched.status, await fetched.text()], [got.status, await got.text()]],
  }))
} finally {
  await client.close()
}
`

const cjsProbe = (bindingPackage) => `const { Client, fetch } = require('hyperhttp')
const url = process.argv[2]
async function main() {
  const fetched = await fetch(url + '/cjs/fetch')
  const client = new Client({ baseUrl: url })
  try {
    const got = await client.get('/cjs/client')
    console.log(JSON.stringify({
      arch: process.arch,
      entry: require.resolve('hyperhttp'),
      binding: require.resolve('${bindingPackage}'),
      responses: [[fetched.status, await fetched.text()], [got.status, await got.text()]],
    }))
  } finally {
    await client.close()
  }
}
main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`

/**
 * Makes real requests to a local server from the app folder where hyperhttp and its platform
 * package are installed, through `import` and `require`. `node` is the command (and leading
 * arguments) that runs a script: this Node, or a foreign-architecture Node under an emulator.
 * Returns the number of requests made.
 */
export async function probeRequests(app, { env, url, platform, cpu, node, log }) {
  const bindingPackage = bindingPackageName(platform)
  writeFileSync(join(app, 'probe.mjs'), esmProbe(bindingPackage))
  writeFileSync(join(app, 'probe.cjs'), cjsProbe(bindingPackage))
  const installed = realpathSync(join(app, 'node_modules'))
  const [command, ...leading] = node
  for (const [style, file, entry] of [
    ['import', 'probe.mjs', 'dist/esm/index.js'],
    ['require', 'probe.cjs', 'dist/cjs/index.js'],
  ]) {
    const result = JSON.parse(
      await run(command, [...leading, file, url], { cwd: app, env, capture: true }),
    )
    check(result.arch === cpu, `${style} ran on ${result.arch}, expected ${cpu}`)
    const entryPath = result.entry.startsWith('file:') ? fileURLToPath(result.entry) : result.entry
    check(
      entryPath === join(installed, 'hyperhttp', entry),
      `${style} resolved hyperhttp to ${entryPath}`,
    )
    check(
      realpathSync(result.binding).startsWith(join(installed, bindingPackage)),
      `${style} resolved the binding to ${result.binding}`,
    )
    const prefix = style === 'import' ? '/esm' : '/cjs'
    for (const [index, kind] of ['fetch', 'client'].entries()) {
      const [status, body] = result.responses[index]
      check(
        status === 200 && body === `hello GET ${prefix}/${kind}`,
        `${style} ${kind}: ${status} ${body}`,
      )
    }
    log(`${style} on ${result.arch}: fetch and Client.get answered 200 through ${bindingPackage}`)
  }
  return 4
}
