import { afterEach, expect, it } from 'vitest'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

const importPackage = `const hyperhttp = await import(${JSON.stringify(packageEntryUrl)});`

async function startServer() {
  return startHttpServer((_req, res) => res.end('hello child'))
}

it('a process that made one fetch exits by itself with code 0', async () => {
  const server = await startServer()
  const result = await runNodeScript(`
    ${importPackage}
    const res = await hyperhttp.fetch(${JSON.stringify(server.url)});
    console.log(res.status, await res.text());
  `)
  expect(result.signal, 'killed at the deadline: the process did not exit').toBeNull()
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout.trim()).toBe('200 hello child')
})

it('an unclosed Client with an idle pooled connection does not keep the process alive', async () => {
  const server = await startServer()
  const result = await runNodeScript(`
    ${importPackage}
    const client = new hyperhttp.Client({ limits: { keepAliveTimeout: 600000 } });
    const res = await client.get(${JSON.stringify(server.url)});
    console.log(res.status, await res.text());
  `)
  expect(result.signal, 'killed at the deadline: the process did not exit').toBeNull()
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout.trim()).toBe('200 hello child')
  expect(server.connections.total).toBe(1)
})

it('a pending request keeps the process alive until it completes', async () => {
  const server = await startHttpServer((_req, res) => setTimeout(() => res.end('late'), 300))
  const result = await runNodeScript(`
    ${importPackage}
    hyperhttp.fetch(${JSON.stringify(server.url)}).then(async (res) => console.log(await res.text()));
  `)
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout.trim()).toBe('late')
})

it('importing the package without using it lets the process exit', async () => {
  const result = await runNodeScript(`${importPackage} console.log(typeof hyperhttp.fetch);`)
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout.trim()).toBe('function')
})

it('the CommonJS build loads and works with require()', async () => {
  const server = await startServer()
  const cjsEntry = new URL('../dist/cjs/index.js', import.meta.url).pathname
  const result = await runNodeScript(`
    import { createRequire } from 'node:module';
    const { fetch } = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});
    const res = await fetch(${JSON.stringify(server.url)});
    console.log(res.status, await res.text());
  `)
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout.trim()).toBe('200 hello child')
})
