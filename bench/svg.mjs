// An SVG chart of a compare.mjs run, written as plain text: for each (protocol,
// concurrency), two panels of grouped bars, requests per second and CPU µs per request,
// one group per workload (body size), one bar per client. Failed and skipped rows are left
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
  '#843c39',
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
  for (const client of order) {
    color.set(client, client.endsWith('(limit)') ? '#b0b0b0' : COLORS[color.size % COLORS.length])
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

function panel(top, heading, rows, key, order, color, digits) {
  const workloads = [...new Set(rows.map((r) => r.workload))]
  const max = Math.max(...rows.map((r) => r[key] ?? 0), 1e-9)
  const { step, top: axisTop } = niceAxis(max)
  const plotTop = top + 24
  const plotHeight = PANEL_HEIGHT - 50
  const plotWidth = WIDTH - LEFT - RIGHT
  const yOf = (v) => plotTop + plotHeight - (v / axisTop) * plotHeight
  const out = [`<text x="${LEFT}" y="${top + 12}" font-weight="bold">${esc(heading)}</text>`]
  for (let v = 0; v <= axisTop + step / 2; v += step) {
    const gy = yOf(v).toFixed(1)
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${gy}" y2="${gy}" stroke="#dddddd"/>`,
      `<text x="${LEFT - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle" fill="#555555">${formatTick(v)}</text>`,
    )
  }
  const groupWidth = plotWidth / Math.max(1, workloads.length)
  const clientsHere = order.filter((c) => rows.some((r) => r.client === c))
  const barWidth = Math.min(40, (groupWidth * 0.85) / Math.max(1, clientsHere.length))
  workloads.forEach((workload, g) => {
    const groupLeft = LEFT + g * groupWidth + (groupWidth - barWidth * clientsHere.length) / 2
    clientsHere.forEach((client, i) => {
      const row = rows.find((r) => r.workload === workload && r.client === client)
      const value = row?.[key]
      if (value === undefined || value === null) return
      const x = groupLeft + i * barWidth
      const by = yOf(value)
      out.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plotTop + plotHeight - by).toFixed(1)}" fill="${color.get(client)}"><title>${esc(`${client}, ${workload}: ${value.toFixed(digits)}`)}</title></rect>`,
      )
    })
    out.push(
      `<text x="${(LEFT + (g + 0.5) * groupWidth).toFixed(1)}" y="${plotTop + plotHeight + 16}" text-anchor="middle">${esc(workload)}</text>`,
    )
  })
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${plotTop + plotHeight}" y2="${plotTop + plotHeight}" stroke="#333333"/>`,
  )
  return out.join('\n')
}

function niceAxis(max) {
  const raw = max / 5
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  return { step, top: Math.ceil(max / step) * step }
}

function formatTick(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`
  return `${+v.toFixed(2)}`
}

function esc(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
