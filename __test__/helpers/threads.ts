import { readdirSync, readFileSync } from 'node:fs'

/**
 * A figure of each of this process's threads, summed by thread name (Linux only: from /proc;
 * Linux truncates names to 15 bytes, so the engine's workers are `hyperhttp-worke`).
 */
export function byThreadName(figure: 'wake-ups' | 'cpu ticks'): Map<string, number> {
  const byName = new Map<string, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    let read: { name: string; value: number }
    try {
      read = figure === 'wake-ups' ? wakeUps(tid) : cpuTicks(tid)
    } catch {
      continue // the thread ended meanwhile
    }
    byName.set(read.name, (byName.get(read.name) ?? 0) + read.value)
  }
  return byName
}

/** Voluntary context switches: how often the thread woke after waiting. */
function wakeUps(tid: string): { name: string; value: number } {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8')
  const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? ''
  const value = Number(/^voluntary_ctxt_switches:\s*(\d+)$/m.exec(status)?.[1] ?? 0)
  return { name, value }
}

/** Processor time, user and system, in clock ticks (10 ms each here). */
function cpuTicks(tid: string): { name: string; value: number } {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { name, value: Number(fields[11]) + Number(fields[12]) }
}
