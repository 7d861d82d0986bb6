import { type NativePoolStats, STATS_FIELDS } from './native.js'
import type { ConnectionStats, PoolStats } from './types.js'

/** The engine's flat statistics (see crates/node/README.md) as a {@link PoolStats}. */
export function poolStats(native: NativePoolStats): PoolStats {
  const { origins, counts } = native
  const byOrigin: Record<string, ConnectionStats> = {}
  for (let i = 0; i < origins.length; i++) {
    byOrigin[origins[i] as string] = connectionStats(counts, (i + 1) * STATS_FIELDS)
  }
  return { total: connectionStats(counts, 0), origins: byOrigin }
}

function connectionStats(counts: number[], at: number): ConnectionStats {
  return {
    open: counts[at] ?? 0,
    idle: counts[at + 1] ?? 0,
    busy: counts[at + 2] ?? 0,
    inFlight: counts[at + 3] ?? 0,
    queued: counts[at + 4] ?? 0,
    http2Streams: counts[at + 5] ?? 0,
  }
}
