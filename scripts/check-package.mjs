// Proves the release packaging on this machine (linux-x64-gnu), the way a user receives it:
// builds the binary with the dist profile, lets the napi CLI generate and fill the platform
// package, packs it and the main package, installs both tarballs into an empty folder with no
// Rust toolchain on PATH and makes real requests from there with `import` and `require`.
// Without the platform package, the facade must explain itself (ERR_NATIVE_BINDING).
// Usage: npm run test:package. Set HYPERHTTP_KEEP_PACKAGE_CHECK=1 to keep the work folder.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  assemblePackages,
  binaryFileName,
  bindingPackageName,
  buildBinary,
  CheckFailure,
  check,
  devBin,
  formatSize,
  logger,
  napiCli,
  npmCli,
  offlineInstallArgs,
  pack,
  probeRequests,
  root,
  rootPackage,
  run,
  stageMainPackage,
  startServer,
  toolchainFreeEnv,
} from './packaging.mjs'

const TARGET = {
  target: 'x86_64-unknown-linux-gnu',
  platform: 'linux-x64-gnu',
  os: 'linux',
  cpu: 'x64',
  libc: 'glibc',
}
const PLATFORM = TARGET.platform
const BINDING_PACKAGE = bindingPackageName(PLATFORM)
const binaryFile = binaryFileName(PLATFORM)
const log = logger('check-package')

/** Every configured target gets a generated package named as the facade names it. */
async function checkAllPlatformPackages(stage) {
  const napi = napiCli()
  await run(process.execPath, [napi, 'create-npm-dirs', '--cwd', stage, '--npm-dir', 'npm-all'])
  const { PREBUILT_PLATFORMS } = await import(pathToFileURL(join(root, 'dist/esm/native.js')).href)
  for (const platform of PREBUILT_PLATFORMS) {
    const manifestPath = join(stage, 'npm-all', platform, 'package.json')
    check(existsSync(manifestPath), `napi create-npm-dirs generated no package for ${platform}`)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    check(manifest.name === bindingPackageName(platform), `unexpected name ${manifest.name}`)
    check(manifest.os?.length === 1 && manifest.cpu?.length === 1, `${manifest.name} lacks os/cpu`)
    if (platform.startsWith('linux-'))
      check(manifest.libc?.length === 1, `${manifest.name} lacks libc`)
  }
  check(
    rootPackage.napi.targets.length === PREBUILT_PLATFORMS.length,
    `package.json napi.targets (${rootPackage.napi.targets.length}) and PREBUILT_PLATFORMS in src/native.ts (${PREBUILT_PLATFORMS.length}) disagree`,
  )
  rmSync(join(stage, 'npm-all'), { recursive: true })
  log(`napi create-npm-dirs: ${PREBUILT_PLATFORMS.map((p) => bindingPackageName(p)).join(', ')}`)
}

function checkMainContents(main) {
  for (const required of [
    'package.json',
    'index.cjs',
    'index.d.cts',
    'index.d.ts',
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

/**
 * Are the types wrong? Every entry point under the node16 (CJS and ESM) and bundler module
 * resolutions. node10 predates `exports`, so subpaths such as `hyperhttp/register` cannot
 * resolve there by design; the `node16` profile leaves node10 out.
 */
async function checkTypes(main) {
  const report = await run(
    process.execPath,
    [
      devBin('@arethetypeswrong/cli', 'attw'),
      main.path,
      '--profile',
      'node16',
      '--format',
      'ascii',
      '--no-color',
    ],
    { capture: true },
  )
  log(`attw ${main.filename}: ${report.trim().split('\n').join('\n    ')}`)
}

const MISSING_BINDING_PROBE = `import { Client, HyperHttpError } from 'hyperhttp'
try {
  new Client()
  console.log(JSON.stringify({ loaded: true }))
} catch (error) {
  console.log(JSON.stringify({ hyperHttpError: error instanceof HyperHttpError, code: error.code, message: error.message }))
}
`

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
    log(`building ${binaryFile} with the dist profile (LTO, one codegen unit, stripped)`)
    const { binary, seconds } = await buildBinary({
      ...TARGET,
      outputDir: join(stage, 'artifacts'),
    })
    log(`dist build took ${seconds} s`)

    await checkAllPlatformPackages(stage)
    const bindingDir = await assemblePackages(stage, work, TARGET)
    const main = await pack(stage, tarballs, npm)
    const bindingPack = await pack(bindingDir, tarballs, npm)
    checkMainContents(main)
    await checkTypes(main)
    check(bindingPack.paths.includes(binaryFile), `${BINDING_PACKAGE} lacks ${binaryFile}`)

    const env = toolchainFreeEnv()
    log(`installing both tarballs offline, PATH without cargo/rustc: ${env.PATH}`)
    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
    const install = offlineInstallArgs(work)
    await run(process.execPath, [npm, ...install, main.path, bindingPack.path], { cwd: app, env })

    const { server, hits, url } = await startServer()
    try {
      await probeRequests(app, { env, url, ...TARGET, node: [process.execPath], log })
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
