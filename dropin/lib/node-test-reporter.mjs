// A node:test reporter that writes one JSON line per finished test (suites and the file-level
// wrapper left out): { file, name, ok, skipped, subtestsFailed, error } for the harness to compare run against run.
import { relative } from 'node:path'

export default async function* jsonLines(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const { data } = event
    if (data.details?.type === 'suite') continue
    // The runner reports each file as a test of its own at nesting 0 when it has no tests.
    if (data.file === undefined || data.name === data.file) continue
    const error = event.type === 'test:fail' ? describeError(data.details?.error) : undefined
    yield `${JSON.stringify({
      file: relative(process.cwd(), data.file),
      name: data.name,
      ok: event.type === 'test:pass' && data.skip === undefined && data.todo === undefined,
      skipped: data.skip !== undefined || data.todo !== undefined,
      // A test whose only failure is a failing subtest: the subtest is the one to look at.
      subtestsFailed: data.details?.error?.failureType === 'subtestsFailed',
      error,
    })}\n`
  }
}

function describeError(error) {
  const cause = error?.cause ?? error
  const message = String(cause?.message ?? cause ?? 'failed')
  return message.split('\n').slice(0, 3).join(' ').slice(0, 300)
}
