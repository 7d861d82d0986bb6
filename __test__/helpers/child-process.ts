import { spawn } from 'node:child_process'

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs `source` as an ES module in a fresh Node process (this very Node binary) and resolves
 * when it exits. A child still running after `deadlineMs` is killed, which shows up as
 * `signal: 'SIGKILL'` so that "did not exit by itself" is an assertion failure, not a hang.
 */
export function runNodeScript(
  source: string,
  env: Record<string, string | undefined> = {},
  deadlineMs = 20_000,
): Promise<ChildResult> {
  return runNode(['--input-type=module', '--eval', source], env, deadlineMs)
}

/** Runs this very Node binary with `args` (flags, then a script), as {@link runNodeScript}. */
export function runNode(
  args: string[],
  env: Record<string, string | undefined> = {},
  deadlineMs = 20_000,
): Promise<ChildResult> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  for (const [name, value] of Object.entries(childEnv))
    if (value === undefined) delete childEnv[name]
  const child = spawn(process.execPath, args, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const deadline = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(deadline)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
