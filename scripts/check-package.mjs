// Proves the release packaging on this machine (linux-x64-gnu), the way a user receives it:
// builds the binary with the dist profile, lets the napi CLI generate and fill the platform
// package, packs it and the main package, installs both tarballs into an empty folder with no
// Rust toolchain on PATH and makes real requests from there with `import` and `require`.
// Without the platform package, the facade must explain itself (ERR_NATIVE_BINDING).
// Usage: npm run test:package. Set HYPERHTTP_KEEP_PACKAGE_CHECK=1 to keep the work folder.
import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const PLATFORM = 'linux-x64-gnu'
const TRIPLE = 'x86_64-unknown-linux-gnu'
const BINDING_PACKAGE = `@hyperhttp/binding-${PLATFORM}`
const root = fileURLToPath(new URL('..', import.meta.url))
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const binaryFile = `${rootPackage.napi.binaryName}.${PLATFORM}.node`

class CheckFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailure(message)
}

function log(message) {
  console.log(`[check-package] ${message}`)
}

/** Runs a command to completion (asynchronously, so the local server keeps answering). */
function run(command, args, { cwd = root, env = process.env, capture = false } = {}) {
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

function napiCli() {
  const require = createRequire(join(root, 'package.json'))
  const manifestPath = require.resolve('@napi-rs/cli/package.json')
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'))
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin.napi)
}

function npmCli() {
  const fromNpmRun = process.env.npm_execpath
  if (fromNpmRun?.endsWith('npm-cli.js')) return fromNpmRun
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm')
    if (dir && existsSync(candidate)) return realpathSync(candidate)
  }
  throw new CheckFailure('npm not found on PATH')
}

/** The environment a user without Rust has: no cargo, rustc or rustup anywhere on PATH. */
function toolchainFreeEnv() {
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

function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]} (${bytes} bytes)`
}

async function buildBinary(outputDir) {
  log(`building ${binaryFile} with the dist profile (LTO, one codegen unit, stripped)`)
  const started = Date.now()
  await run(process.execPath, [
    napiCli(),
    'build',
    '--platform',
    '--profile',
    'dist',
    '--target',
    TRIPLE,
    '--manifest-path',
    'crates/node/Cargo.toml',
    '--package-json-path',
    'package.json',
    '--output-dir',
    outputDir,
    '--no-js',
  ])
  const seconds = Math.round((Date.now() - started) / 1000)
  const binary = join(outputDir, binaryFile)
  check(existsSync(binary), `napi build did not produce ${binary}`)
  return { binary, seconds }
}

/**
 * A copy of what the main package publishes, where the napi CLI may rewrite package.json. As
 * in the publish job, `prepare` goes: it builds the addon in a checkout and means nothing to
 * an installed package.
 */
async function stageMainPackage(stage, npm) {
  for (const entry of ['package.json', 'README.md', 'index.cjs', 'index.d.cts', 'dist']) {
    check(existsSync(join(root, entry)), `${entry} is missing; run npm run build:ts first`)
    cpSync(join(root, entry), join(stage, entry), { recursive: true })
  }
  await run(process.execPath, [npm, 'pkg', 'delete', 'scripts.prepare'], { cwd: stage })
}

/** Every configured target gets a generated package named as the facade names it. */
async function checkAllPlatformPackages(stage) {
  const napi = napiCli()
  await run(process.execPath, [napi, 'create-npm-dirs', '--cwd', stage, '--npm-dir', 'npm-all'])
  const { PREBUILT_PLATFORMS } = await import(pathToFileURL(join(root, 'dist/esm/native.js')).href)
  for (const platform of PREBUILT_PLATFORMS) {
    const manifestPath = join(stage, 'npm-all', platform, 'package.json')
    check(existsSync(manifestPath), `napi create-npm-dirs generated no package for ${platform}`)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    check(manifest.name === `@hyperhttp/binding-${platform}`, `unexpected name ${manifest.name}`)
    check(manifest.os?.length === 1 && manifest.cpu?.length === 1, `${manifest.name} lacks os/cpu`)
    if (platform.startsWith('linux-'))
      check(manifest.libc?.length === 1, `${manifest.name} lacks libc`)
  }
  check(
    rootPackage.napi.targets.length === PREBUILT_PLATFORMS.length,
    `package.json napi.targets (${rootPackage.napi.targets.length}) and PREBUILT_PLATFORMS in src/native.ts (${PREBUILT_PLATFORMS.length}) disagree`,
  )
  rmSync(join(stage, 'npm-all'), { recursive: true })
  log(
    `napi create-npm-dirs: ${PREBUILT_PLATFORMS.map((p) => `@hyperhttp/binding-${p}`).join(', ')}`,
  )
}

/** The release steps of the publish workflow, narrowed to the one target built here. */
async function assemblePackages(stage, work) {
  const napi = napiCli()
  const config = join(work, `napi.${PLATFORM}.json`)
  writeFileSync(config, JSON.stringify({ ...rootPackage.napi, targets: [TRIPLE] }))
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

  const staged = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'))
  check(
    staged.optionalDependencies?.[BINDING_PACKAGE] === rootPackage.version,
    `napi pre-publish did not add ${BINDING_PACKAGE}@${rootPackage.version} to optionalDependencies`,
  )
  const binding = JSON.parse(readFileSync(join(stage, 'npm', PLATFORM, 'package.json'), 'utf8'))
  check(
    binding.os?.[0] === 'linux' && binding.cpu?.[0] === 'x64' && binding.libc?.[0] === 'glibc',
    `${BINDING_PACKAGE} has os ${binding.os}, cpu ${binding.cpu}, libc ${binding.libc}`,
  )
  return join(stage, 'npm', PLATFORM)
}

async function pack(dir, destination, npm) {
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

function checkMainContents(main) {
  for (const required of [
    'package.json',
    'index.cjs',
    'index.d.cts',
    'dist/esm/index.js',
    'dist/esm/index.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/index.d.ts',
    'dist/cjs/package.json',
  ]) {
    check(main.paths.includes(required), `the main package lacks ${required}`)
  }
  const stray = main.paths.filter(
    (path) => path.endsWith('.node') || /^(src|crates|__test__|bench|target)\//.test(path),
  )
  check(stray.length === 0, `the main package must not contain ${stray.join(', ')}`)
}

function startServer() {
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

const ESM_PROBE = `import { createRequire } from 'node:module'
import { Client, fetch } from 'hyperhttp'
const url = process.argv[2]
const fetched = await fetch(url + '/esm/fetch')
const client = new Client({ baseUrl: url })
try {
  const got = await client.get('/esm/client')
  console.log(JSON.stringify({
    entry: import.meta.resolve('hyperhttp'),
    binding: createRequire(import.meta.url).resolve('${BINDING_PACKAGE}'),
    responses: [[fetched.status, await fetched.text()], [got.status, await got.text()]],
  }))
} finally {
  await client.close()
}
`

const CJS_PROBE = `const { Client, fetch } = require('hyperhttp')
const url = process.argv[2]
async function main() {
  const fetched = await fetch(url + '/cjs/fetch')
  const client = new Client({ baseUrl: url })
  try {
    const got = await client.get('/cjs/client')
    console.log(JSON.stringify({
      entry: require.resolve('hyperhttp'),
      binding: require.resolve('${BINDING_PACKAGE}'),
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

const MISSING_BINDING_PROBE = `import { Client, HyperHttpError } from 'hyperhttp'
try {
  new Client()
  console.log(JSON.stringify({ loaded: true }))
} catch (error) {
  console.log(JSON.stringify({ hyperHttpError: error instanceof HyperHttpError, code: error.code, message: error.message }))
}
`

async function probeRequests(app, env, url) {
  writeFileSync(join(app, 'probe.mjs'), ESM_PROBE)
  writeFileSync(join(app, 'probe.cjs'), CJS_PROBE)
  const installed = realpathSync(join(app, 'node_modules'))
  for (const [style, file, entry] of [
    ['import', 'probe.mjs', 'dist/esm/index.js'],
    ['require', 'probe.cjs', 'dist/cjs/index.js'],
  ]) {
    const result = JSON.parse(
      await run(process.execPath, [file, url], { cwd: app, env, capture: true }),
    )
    const entryPath = result.entry.startsWith('file:') ? fileURLToPath(result.entry) : result.entry
    check(
      entryPath === join(installed, 'hyperhttp', entry),
      `${style} resolved hyperhttp to ${entryPath}`,
    )
    check(
      realpathSync(result.binding).startsWith(join(installed, BINDING_PACKAGE)),
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
    log(`${style}: fetch and Client.get answered 200 through ${BINDING_PACKAGE}`)
  }
}

async function main() {
  check(
    process.platform === 'linux' && process.arch === 'x64',
    `this check builds ${PLATFORM}; it runs on Linux x64 only`,
  )
  check(
    process.report.getReport().header.glibcVersionRuntime !== undefined,
    `this check builds ${PLATFORM}; this Node is not linked against glibc`,
  )
  const work = mkdtempSync(join(tmpdir(), 'hyperhttp-package-'))
  let passed = false
  try {
    const stage = join(work, 'stage')
    const tarballs = join(work, 'tarballs')
    for (const dir of [stage, tarballs]) mkdirSync(dir)

    log('building the TypeScript facade (npm run build:ts)')
    const npm = npmCli()
    await run(process.execPath, [npm, 'run', 'build:ts'])
    await stageMainPackage(stage, npm)
    // As in the publish job: binaries under artifacts/, packages under npm/.
    const { binary, seconds } = await buildBinary(join(stage, 'artifacts'))
    log(`dist build took ${seconds} s`)

    await checkAllPlatformPackages(stage)
    const bindingDir = await assemblePackages(stage, work)
    const main = await pack(stage, tarballs, npm)
    const bindingPack = await pack(bindingDir, tarballs, npm)
    checkMainContents(main)
    check(bindingPack.paths.includes(binaryFile), `${BINDING_PACKAGE} lacks ${binaryFile}`)

    const env = toolchainFreeEnv()
    log(`installing both tarballs offline, PATH without cargo/rustc: ${env.PATH}`)
    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
    const install = [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      join(work, 'npm-cache'),
    ]
    await run(process.execPath, [npm, ...install, main.path, bindingPack.path], { cwd: app, env })

    const { server, hits, url } = await startServer()
    try {
      await probeRequests(app, env, url)
    } finally {
      server.close()
    }
    check(
      hits.length === 4,
      `the local server saw ${hits.length} requests, expected 4: ${hits.join(', ')}`,
    )

    const bare = join(work, 'app-without-binding')
    mkdirSync(bare)
    writeFileSync(join(bare, 'package.json'), '{ "name": "bare", "private": true }\n')
    await run(process.execPath, [npm, ...install, '--omit=optional', main.path], { cwd: bare, env })
    writeFileSync(join(bare, 'probe.mjs'), MISSING_BINDING_PROBE)
    const missing = JSON.parse(
      await run(process.execPath, ['probe.mjs'], { cwd: bare, env, capture: true }),
    )
    check(
      missing.hyperHttpError && missing.code === 'ERR_NATIVE_BINDING',
      `without ${BINDING_PACKAGE}: ${JSON.stringify(missing)}`,
    )
    for (const needle of [`for ${PLATFORM}`, 'win32-arm64-msvc', 'build from source']) {
      check(
        missing.message.includes(needle),
        `the missing-binding message lacks "${needle}": ${missing.message}`,
      )
    }
    log(`without ${BINDING_PACKAGE}: ERR_NATIVE_BINDING: ${missing.message}`)

    log('sizes:')
    log(
      `  main package     ${main.filename}: ${formatSize(main.size)} packed, ${formatSize(main.unpackedSize)} unpacked, ${main.entryCount} files`,
    )
    log(
      `  platform package ${bindingPack.filename}: ${formatSize(bindingPack.size)} packed, ${formatSize(bindingPack.unpackedSize)} unpacked`,
    )
    log(`  binary           ${binaryFile}: ${formatSize(statSync(binary).size)}`)
    log('OK')
    passed = true
  } finally {
    if (passed && !process.env.HYPERHTTP_KEEP_PACKAGE_CHECK)
      rmSync(work, { recursive: true, force: true })
    else log(`work folder kept: ${work}`)
  }
}

main().catch((error) => {
  console.error(
    `[check-package] FAILED: ${error instanceof CheckFailure ? error.message : error.stack}`,
  )
  process.exitCode = 1
})
