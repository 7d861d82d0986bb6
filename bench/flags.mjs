// Command-line flags of the bench tools: node's parseArgs, except that a misspelt or misused
// flag is refused in one sentence naming the valid ones (exit code 2, no stack trace) and
// `--help` lists them; `refuse` ends a tool the same way for a bad value, and `count`,
// `positive`, `bytes`, `oneOf` and `matching` read the values every tool takes the same way.
import path from 'node:path'
import { parseArgs } from 'node:util'

// The values of `options` (parseArgs's option records) given to the script `tool` (its path
// from the repository root; errors start with its base name, as the tools' own do); `docs`
// says where each flag is described (by default, the script's header).
export function parseFlags(tool, options, docs = `the header of ${tool} says what they do`) {
  const all = { ...options, help: { type: 'boolean' } }
  const names = Object.keys(all).map((name) => `--${name}`)
  const list = `the options are ${names.join(', ')}; ${docs}`
  let values
  try {
    values = parseArgs({ options: all }).values
  } catch (error) {
    refuse(tool, `${error.message.split(/\.\s/)[0]}: ${list}`)
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

// The value `text` of `--name` (or of the environment variable `name`, in capitals) as a whole
// number of at least 1 (requests, rounds, in flight).
export function count(tool, name, text) {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1)
    refuse(tool, `${label(name)} must be a positive whole number, not "${text}"`)
  return value
}

// The value `text` of `--name` as a number above 0 (seconds, milliseconds).
export function positive(tool, name, text) {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0)
    refuse(tool, `${label(name)} must be a positive number, not "${text}"`)
  return value
}

// The value `text` of `--name` as a number of at least 0 (seconds that may be none).
export function nonNegative(tool, name, text) {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0)
    refuse(tool, `${label(name)} must be a number of at least 0, not "${text}"`)
  return value
}

// The value `text` of `--name` as a body size in bytes: 200, 10k (KiB) or 1m (MiB).
export function bytes(tool, name, text) {
  const match = /^\s*(\d+)\s*(k|kib|m|mib)?\s*$/i.exec(text)
  if (!match)
    refuse(tool, `${label(name)} takes bytes, or a number with k or m (10k, 1m), not "${text}"`)
  const unit = { k: 1024, kib: 1024, m: 1048576, mib: 1048576 }[match[2]?.toLowerCase()] ?? 1
  return Number(match[1]) * unit
}

// The value `text` of `--name`, which must be one of `choices`.
export function oneOf(tool, name, text, choices) {
  if (!choices.includes(text))
    refuse(tool, `${label(name)} is one of ${choices.join(', ')}, not "${text}"`)
  return text
}

// The names among `names` that contain `filter` (`--filter`); none is refused, naming them
// all, instead of measuring nothing.
export function matching(tool, names, filter) {
  const kept = names.filter((name) => name.includes(filter))
  if (kept.length === 0)
    refuse(tool, `no case matches --filter "${filter}"; the cases are: ${names.join('; ')}`)
  return kept
}

// How an error names where a value came from: `--name`, or an environment variable as is.
function label(name) {
  return /^[A-Z0-9_]+$/.test(name) ? name : `--${name}`
}
