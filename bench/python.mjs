// The Python rows (`--clients aiohttp,httpx`): the clients the published Python comparison
// measured, run by bench/python/run_client.py under the same contract as run-client.mjs.
// On first use the harness makes a virtual environment with the pinned versions of
// bench/python/requirements.txt (from PyPI, with pip) in a cache directory outside the
// repository; its name carries a hash of the requirements and the Python version, so a
// changed pin or interpreter gets a fresh one and an unchanged one is reused.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const PYTHON_CLIENTS = ['aiohttp', 'httpx']
export const PYTHON_RUNNER = path.join(import.meta.dirname, 'python', 'run_client.py')
const REQUIREMENTS = path.join(import.meta.dirname, 'python', 'requirements.txt')
const READY_MARK = '.hyperhttp-bench-ready'

// Resolves the venv's interpreter, building the venv first when needed. Throws an Error
// whose message is the reason the Python rows are skipped (no python3, pip failed).
export function pythonEnv(log) {
  const base = process.env.HYPERHTTP_BENCH_PYTHON ?? 'python3'
  let version
  try {
    version = execFileSync(base, ['-c', 'import sys; print(sys.version)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    throw new Error(`${base} not found (install Python 3 to measure aiohttp and httpx)`)
  }
  const requirements = readFileSync(REQUIREMENTS, 'utf8')
  const hash = createHash('sha256').update(`${version}\n${requirements}`).digest('hex').slice(0, 12)
  const dir = path.join(cacheRoot(), `bench-venv-${hash}`)
  const python = path.join(dir, 'bin', 'python')
  if (existsSync(path.join(dir, READY_MARK))) return { python, dir, created: false }

  // Built beside its final place and renamed into it, so two runs at once never use a
  // half-installed venv (the loser of the race drops its copy). Only `bin/python` is run
  // from it (pip via `python -m pip`), which a rename does not break.
  const building = `${dir}.building-${process.pid}`
  rmSync(building, { recursive: true, force: true })
  log?.(`creating ${dir} (pip install -r bench/python/requirements.txt; once)`)
  try {
    execFileSync(base, ['-m', 'venv', building], { stdio: ['ignore', 'ignore', 'pipe'] })
    execFileSync(
      path.join(building, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    writeFileSync(path.join(building, READY_MARK), `${requirements}`)
  } catch (error) {
    rmSync(building, { recursive: true, force: true })
    const detail = String(error.stderr ?? error.message)
      .trim()
      .split('\n')
      .slice(-2)
      .join(' ')
    throw new Error(`could not install the Python clients into a venv: ${detail}`)
  }
  try {
    renameSync(building, dir)
  } catch {
    rmSync(building, { recursive: true, force: true })
    if (!existsSync(path.join(dir, READY_MARK))) throw new Error(`could not create ${dir}`)
  }
  return { python, dir, created: true }
}

// Versions for the run's header: the interpreter and each client package.
export function pythonVersions(python) {
  const script =
    'import json, platform, importlib.metadata as m; ' +
    'print(json.dumps({"python": platform.python_version(), ' +
    '"aiohttp": m.version("aiohttp"), "httpx": m.version("httpx"), "h2": m.version("h2")}))'
  try {
    return JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' }))
  } catch {
    return { python: 'unknown' }
  }
}

function cacheRoot() {
  if (process.env.HYPERHTTP_BENCH_VENV_DIR) return process.env.HYPERHTTP_BENCH_VENV_DIR
  const xdg = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache')
  return path.join(xdg, 'hyperhttp')
}
