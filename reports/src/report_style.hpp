#pragma once
// Shared inline stylesheet of every HTML report: readable on screen, clean when printed to PDF.
namespace headroom::report {
inline constexpr const char* kReportCss = R"css(
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 28px; }
.meta, footer { color: var(--muted); } .verdict { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.kv th { width: 140px; color: var(--muted); font-weight: 600; }
table.cases { table-layout: fixed; } table.cases td { overflow-wrap: anywhere; }
table.regress { table-layout: fixed; font-size: 13px; } table.regress td:not(.num) { overflow-wrap: break-word; }
table.checks td:last-child { overflow-wrap: anywhere; }  /* the detail: long params keys */
col.c-case { width: 19%; } col.c-params { width: 18%; } col.c-status { width: 7%; } col.c-headline { width: 20%; }
col.c-cv { width: 6%; } col.c-verified { width: 7%; } col.c-notes { width: 23%; }
td.note, .note { color: var(--muted); font-size: 12px; } td.note details summary { color: var(--muted); }
tr.waived td { color: var(--warn); } tr.error td, tr.fail td { color: var(--bad); } tr.pass td:first-child { color: var(--ok); }
code { font: 12px "DejaVu Sans Mono", monospace; }
figure { margin: 12px 0; } figcaption { color: var(--muted); font-size: 12px; }
svg.chart { max-width: 100%; height: auto; background: #fff; }
svg .grid { stroke: #eaeef2; } svg .axis { stroke: #57606a; } svg .tick, svg .legend { font-size: 11px; fill: #1b1f24; }
svg .label { font-size: 12px; fill: #57606a; } svg .chart-title { font-size: 13px; font-weight: 600; fill: #1b1f24; }
svg .bar { fill: #0072B2; } svg .bar.good { fill: #1a7f37; } svg .bar.bad { fill: #cf222e; } svg .bar.ref { fill: #8c959f; }
svg .marker { stroke: #cf222e; stroke-dasharray: 4 3; }
.banner { padding: 8px 12px; border-radius: 4px; font-size: 16px; font-weight: 700; margin: 8px 0; }
.banner.pass { background: #dafbe1; color: var(--ok); } .banner.fail { background: #ffebe9; color: var(--bad); }
.warnings { background: #fff8c5; border-left: 4px solid var(--warn); padding: 6px 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.regression td, tr.missing td { color: var(--bad); } tr.improvement td { color: var(--ok); } tr.skipped td { color: var(--muted); }
p.recommendation { font-size: 15px; max-width: 75ch; }
h3 { font-size: 15px; margin: 18px 0 4px; } td.src { overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--muted); }
@media print { body { max-width: none; padding: 0; font-size: 11px; } section { break-inside: avoid-page; } figure { break-inside: avoid; } a { color: inherit; }
  tr { break-inside: avoid; } .banner, .warnings { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  details > *:not(summary) { display: block; } @page { size: A4; margin: 14mm; } }
)css";
}  // namespace headroom::report
