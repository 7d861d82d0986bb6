// fetch-retry's integration suite takes its fetch from `require('node-fetch')`. This stand-in
// hands it the global fetch (looked up at call time, so hyperhttp/register is honoured) and
// the global Request/Headers/Response classes, so the suite exercises the fetch under test.
function fetch(input, init) {
  return globalThis.fetch(input, init)
}
fetch.default = fetch
for (const name of ['Request', 'Headers', 'Response', 'FormData']) {
  Object.defineProperty(fetch, name, { enumerable: true, get: () => globalThis[name] })
}
module.exports = fetch
