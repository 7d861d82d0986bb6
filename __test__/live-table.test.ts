// The dispatcher's table of live exchanges (src/live-table.ts): ids it hands out never share a
// slot with a live entry, lookups by a stale id miss, and it grows rather than fill up.
import { expect, it } from 'vitest'
import { LiveTable, MAX_ID } from '../dist/esm/live-table.js'

class Entry {
  constructor(readonly id: number) {}
}

function admit(table: LiveTable<Entry>): Entry {
  const entry = new Entry(table.nextId())
  table.add(entry)
  return entry
}

it('hands out ids from 1, finds live entries by id and forgets deleted ones', () => {
  const table = new LiveTable<Entry>()
  const [a, b, c] = [admit(table), admit(table), admit(table)]
  expect([a.id, b.id, c.id]).toEqual([1, 2, 3])
  expect(table.size).toBe(3)
  table.delete(b)
  expect(table.get(2)).toBeUndefined()
  expect(table.get(1)).toBe(a)
  expect(table.size).toBe(2)
  table.delete(b)
  expect(table.size).toBe(2)
  expect(table.values().sort((x, y) => x.id - y.id)).toEqual([a, c])
})

it('skips an id whose slot a live entry holds, and a stale id misses the new entry', () => {
  const table = new LiveTable<Entry>()
  const old = admit(table) // id 1, slot 1 of 64
  let last = old
  while (last.id < 64) {
    last = admit(table)
    table.delete(last)
  }
  const next = admit(table) // 65 would share slot 1 with the live id 1
  expect(next.id).toBe(66)
  expect(table.get(65)).toBeUndefined()
  table.delete(old)
  const reused = admit(table)
  expect(reused.id).toBe(67)
  expect(table.get(1)).toBeUndefined()
})

it('grows once half full and keeps every live entry reachable', () => {
  const table = new LiveTable<Entry>()
  const live = Array.from({ length: 1000 }, () => admit(table))
  expect(table.size).toBe(1000)
  for (const entry of live) expect(table.get(entry.id)).toBe(entry)
  expect(new Set(live.map((e) => e.id)).size).toBe(1000)
  for (const entry of live) table.delete(entry)
  expect(table.size).toBe(0)
  expect(table.values()).toEqual([])
})

it('starts again at 1 after the largest id, skipping ids still live', () => {
  const table = new LiveTable<Entry>(MAX_ID - 63)
  const held = admit(table) // MAX_ID - 62: slot 1, the slot of id 1
  expect(held.id).toBe(MAX_ID - 62)
  let last = held
  while (last.id < MAX_ID) {
    last = admit(table)
    table.delete(last)
  }
  const wrapped = admit(table)
  expect(wrapped.id).toBe(2)
  expect(table.get(held.id)).toBe(held)
  expect(table.get(wrapped.id)).toBe(wrapped)
})
