import { describe, expect, it } from 'vitest'
import { runNode, runNodeScript } from './helpers/child-process.js'
import { squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { startHttpServer } from './helpers/servers.js'

const entry = new URL('../dist/esm/index.js', import.meta.url).href
const script = (url: string) =>
  `import { fetch } from '${entry}'\nconst res = await fetch('${url}'); await res.text(); console.log(res.headers.get('via') ?? 'direct')`

// The drop-in fetch follows Node 24's rule: environment proxies only when asked for.
describe.skipIf(squidMissing() !== null)('fetch and the proxy environment', () => {
  const squid = useProxy(() => startSquid())

  it('ignores HTTP_PROXY unless NODE_USE_ENV_PROXY=1 or --use-env-proxy', async () => {
    const origin = await startHttpServer((_req, res) => res.end())
    const env = {
      HTTP_PROXY: squid().url,
      http_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
    }
    const plain = await runNodeScript(script(origin.url), { ...env, NODE_USE_ENV_PROXY: undefined })
    expect(plain.stderr).toBe('')
    expect(plain.stdout.trim()).toBe('direct')
    const opted = await runNodeScript(script(origin.url), { ...env, NODE_USE_ENV_PROXY: '1' })
    expect(opted.stdout.trim()).toMatch(/squid/)
    const flag = await runNode(
      ['--use-env-proxy', '--input-type=module', '--eval', script(origin.url)],
      { ...env, NODE_USE_ENV_PROXY: undefined },
    )
    expect(flag.stdout.trim()).toMatch(/squid/)
  })
})
