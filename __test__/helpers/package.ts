/** The built ESM entry of hyperhttp, for code that runs outside the test file (children, workers). */
export const packageEntryUrl = new URL('../../dist/esm/index.js', import.meta.url).href
