// Command-line flags of the bench tools: node's parseArgs, except that a misspelt or misused
// flag is refused in one sentence naming the valid ones (exit code 2, no stack trace) and
// `--help` lists them; `refuse` ends a tool the same way for a bad value.
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
    refuse(tool, `${error.message.split('. ')[0]}: ${list}`)
  }
  if (values.help) {
    process.stdout.write(`usage: node ${tool} [options]: ${list}\n`)
    process.exit(0)
  }
  return values
}

// Ends the script `tool` for bad input: `message` on stderr after the tool's base name, exit
// code 2.
export function refuse(tool, message) {
  process.stderr.write(`${path.basename(tool, '.mjs')}: ${message}\n`)
  process.exit(2)
}
