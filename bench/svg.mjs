// An SVG chart of a compare.mjs run, written as plain text: for each (protocol,
// concurrency), two panels of grouped bars, requests per second and CPU µs per request,
// one group per workload (body size, each on its own scale), one bar per client, each bar
// labelled with its value. Failed and skipped rows are left
// out; a client missing from a group leaves a gap.

const COLORS = [
  '#d62728',
  '#ff7f0e',
  '#e377c2',
  '#1f77b4',
  '#17becf',
  '#9467bd',
  '#2ca02c',
  '#bcbd22',
  '#8c564b',
  '#6b6ecf',
  '#393b79',
  '#637939',
  '#222222',
  '#5254a3',
  '#aaaaaa',
]

const WIDTH = 1000
const PANEL_HEIGHT = 240
const LEFT = 70
const RIGHT = 20

export function renderSvg({ title, subtitle, rows, clients, protocolNames }) {
  const ok = rows.filter((r) => !r.failure && !r.skip && r.reqPerSec !== undefined)
  const order = [...clients, ...new Set(ok.map((r) => r.client))].filter(
    (c, i, all) => all.indexOf(c) === i && ok.some((r) => r.client === c),
  )
  const color = new Map()
  let next = 0
  for (const client of order) {
    color.set(client, client.endsWith('(limit)') ? '#b0b0b0' : COLORS[next++ % COLORS.length])
  }
  const sections = []
  for (const r of ok) {
    const key = `${r.protocol} ${r.concurrency}`
    if (!sections.some((s) => s.key === key)) {
      sections.push({ key, protocol: r.protocol, concurrency: r.concurrency })
    }
  }

  const legendRows = Math.ceil(order.length / 5)
  let y = 50 + legendRows * 18 + 10
  const parts = []
  for (const section of sections) {
    const sectionRows = ok.filter(
      (r) => r.protocol === section.protocol && r.concurrency === section.concurrency,
    )
    const label = `${protocolNames[section.protocol] ?? section.protocol}, concurrency ${section.concurrency}`
    parts.push(
      panel(
        y,
        `${label}: requests per second (higher is better)`,
        sectionRows,
        'reqPerSec',
        order,
        color,
        0,
      ),
    )
    y += PANEL_HEIGHT + 20
    parts.push(
      panel(
        y,
        `${label}: CPU µs per request (lower is better)`,
        sectionRows,
        'cpuUsPerReq',
        order,
        color,
        1,
      ),
    )
    y += PANEL_HEIGHT + 20
  }
  const legend = order.map((client, i) => {
    const x = LEFT + (i % 5) * 180
    const ly = 50 + Math.floor(i / 5) * 18
    return `<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${color.get(client)}"/><text x="${x + 16}" y="${ly}">${esc(client)}</text>`
  })
  const height = y + 10
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${LEFT}" y="20" font-size="16" font-weight="bold">${esc(title)}</text>
<text x="${LEFT}" y="36" fill="#555555">${esc(subtitle)}</text>
${legend.join('\n')}
${parts.join('\n')}
</svg>
`
}

// Each workload group has its own scale (a 1 MiB group next to a 200 B group would
// otherwise be flat), so every bar carries its value.
function panel(top, heading, rows, key, order, color, digits) {
  const workloads = [...new Set(rows.map((r) => r.workload))]
  const plotTop = top + 24
  const plotHeight = PANEL_HEIGHT - 50
  const plotWidth = WIDTH - LEFT - RIGHT
  const bottom = plotTop + plotHeight
  const out = [
    `<text x="${LEFT}" y="${top + 12}" font-weight="bold">${esc(heading)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="${top + 12}" text-anchor="end" fill="#777777" font-size="10">each size on its own scale</text>`,
  ]
  const groupWidth = plotWidth / Math.max(1, workloads.length)
  const clientsHere = order.filter((c) => rows.some((r) => r.client === c))
  const barWidth = Math.min(40, (groupWidth * 0.85) / Math.max(1, clientsHere.length))
  workloads.forEach((workload, g) => {
    const values = rows.filter((r) => r.workload === workload).map((r) => r[key] ?? 0)
    const max = Math.max(...values, 1e-9)
    const groupLeft = LEFT + g * groupWidth + (groupWidth - barWidth * clientsHere.length) / 2
    clientsHere.forEach((client, i) => {
      const row = rows.find((r) => r.workload === workload && r.client === client)
      const value = row?.[key]
      if (value === undefined || value === null) return
      const x = groupLeft + i * barWidth
      const by = bottom - (value / max) * plotHeight * 0.72
      const label = formatTick(value, digits)
      out.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(bottom - by).toFixed(1)}" fill="${color.get(client)}"><title>${esc(`${client}, ${workload}: ${value.toFixed(digits)}`)}</title></rect>`,
        `<text transform="translate(${(x + barWidth / 2 + 2).toFixed(1)},${(by - 3).toFixed(1)}) rotate(-90)" font-size="9" fill="#333333">${esc(label)}</text>`,
      )
    })
    out.push(
      `<text x="${(LEFT + (g + 0.5) * groupWidth).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${esc(workload)}</text>`,
    )
  })
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${bottom}" y2="${bottom}" stroke="#333333"/>`,
  )
  return out.join('\n')
}

function formatTick(v, digits) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`
  if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`
  return v.toFixed(v >= 1000 ? 0 : digits)
}

function esc(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
