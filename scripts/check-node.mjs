// Refuses an unsupported Node.js before install builds or tests run, in one sentence that names
// the version found and the supported ones. It runs first in `prepare` and `pretest`; the
// `.npmrc` (engine-strict) refuses the same Node earlier, in `npm install` and `npm ci`.
// Written for any Node: it must run on the old versions it refuses.
import { readFileSync } from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const range = manifest.engines.node
const minimum = /^>=\s*(\d+)$/.exec(range)
if (!minimum) {
  console.error(`scripts/check-node.mjs understands only ">=MAJOR" engines, not "${range}"`)
  process.exit(1)
}
const found = Number(process.versions.node.split('.')[0])
if (found < Number(minimum[1])) {
  console.error(
    `hyperhttp needs Node.js ${range} (package.json "engines"), but this is Node.js ${process.versions.node} at ${process.execPath}: put a supported Node first on PATH (README, "Building from source").`,
  )
  process.exit(1)
}
