// Command-line flags of the bench tools: node's parseArgs, except that a misspelt or misused
// flag is refused in one sentence naming the valid ones (exit code 2, no stack trace) and
// `--help` lists them.
import path from 'node:path'
import { parseArgs } from 'node:util'

// The values of `options` (parseArgs's option records) given to the script `tool` (its path
// from the repository root; errors start with its base name, as the tools' own do); `docs`
// says where each flag is described.
export function parseFlags(tool, options, docs) {
  const all = { ...options, help: { type: 'boolean' } }
  const names = Object.keys(all).map((name) => `--${name}`)
  const list = `the options are ${names.join(', ')}; ${docs}`
  let values
  try {
    values = parseArgs({ options: all }).values
  } catch (error) {
    process.stderr.write(
      `${path.basename(tool, '.mjs')}: ${error.message.split('. ')[0]}: ${list}\n`,
    )
    process.exit(2)
  }
  if (values.help) {
    process.stdout.write(`usage: node ${tool} [options]: ${list}\n`)
    process.exit(0)
  }
  return values
}
