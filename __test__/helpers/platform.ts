/**
 * Whether this Node's own fetch is one the drop-in tests compare against everywhere: Node 24
 * and later. Node 22's fetch serves one byte less of a `blob:` URL range (none of
 * `bytes=0-0`), and fails `text()`, `arrayBuffer()` and `clone().text()` after an abort with a
 * new AbortError instead of the signal's reason. hyperhttp follows the later Nodes there
 * (README, "Differences from Node's fetch"); those tests assert its answers on every Node.
 */
export const PLATFORM_FETCH_IS_CURRENT = Number(process.versions.node.split('.')[0]) >= 24
