import { expect, it } from 'vitest'
import { runNode } from './helpers/child-process.js'

it('unregister() restores the platform fetch, even when the ESM and CommonJS builds both registered', async () => {
  const result = await runNode([
    '--input-type=module',
    '--eval',
    `
    import { createRequire } from 'node:module';
    const platformFetch = globalThis.fetch;
    const esm = await import('hyperhttp/register');
    const cjs = createRequire(process.cwd() + '/')('hyperhttp/register');
    const steps = { afterBoth: globalThis.fetch !== platformFetch };
    cjs.unregister();
    steps.restored = globalThis.fetch === platformFetch;
    steps.registeredAfterUnregister = esm.isRegistered();
    cjs.unregister();
    steps.secondUnregisterKeeps = globalThis.fetch === platformFetch;
    esm.register();
    esm.register();
    steps.registeredAgain = globalThis.fetch !== platformFetch && cjs.isRegistered();
    esm.unregister();
    steps.restoredAgain = globalThis.fetch === platformFetch;
    console.log(JSON.stringify(steps));
    `,
  ])
  expect(result.code, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({
    afterBoth: true,
    restored: true,
    registeredAfterUnregister: false,
    secondUnregisterKeeps: true,
    registeredAgain: true,
    restoredAgain: true,
  })
})
