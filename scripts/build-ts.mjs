// Compiles src/ twice with tsc: ESM to dist/esm and CommonJS to dist/cjs, both with .d.ts.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

rmSync(`${root}dist`, { recursive: true, force: true })
for (const project of ['tsconfig.build.esm.json', 'tsconfig.build.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', `${root}${project}`], { stdio: 'inherit' })
}
// package.json says "type": "module"; this marks the CommonJS tree as such.
mkdirSync(`${root}dist/cjs`, { recursive: true })
writeFileSync(`${root}dist/cjs/package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`)
