// The local servers' POST row, shared by compare.mjs (`--sizes post`) and
// micro/builds.mjs (`--size post`): a JSON body of 10 KiB sent to crates/bench-server's
// `POST /echo`, which answers with the same bytes.

export const POST_SIZE = 10240
export const JSON_TYPE = 'application/json'

// The POST row as a workload: its name in the tables, the body length every answer must
// have, the request (method, path, body, content type).
export function postWorkload() {
  return {
    name: 'POST 10 KiB JSON',
    size: POST_SIZE,
    expect: POST_SIZE,
    post: true,
    method: 'POST',
    path: '/echo',
    body: jsonBody(POST_SIZE),
    contentType: JSON_TYPE,
  }
}

// {"data":"xxx…"} of exactly `size` bytes.
function jsonBody(size) {
  return JSON.stringify({ data: 'x'.repeat(Math.max(0, size - 11)) })
}
