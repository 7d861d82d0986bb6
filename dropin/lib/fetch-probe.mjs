// Preloaded into every process of a drop-in run (test runners, their workers, forked servers).
// At exit it records whether hyperhttp's register had replaced the global fetch in this
// process, so the harness can prove the hyperhttp run really ran on hyperhttp and the Node run
// never did (a registration lost on the way to a child process would otherwise look like a pass).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The key under which hyperhttp/register keeps the platform's fetch while registered.
const REGISTERED = Symbol.for('hyperhttp.register.platformFetch')
const directory = process.env.DROPIN_PROBE_DIR

if (directory !== undefined) {
  process.on('exit', () => {
    const hyperhttp = globalThis[REGISTERED] !== undefined
    writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify({ hyperhttp }))
  })
}
