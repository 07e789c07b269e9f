// `--html FILE`: the incident on one self-contained page — verdict and causes first, a timeline per
// virtual router on one shared time axis, the advert gaps against master-down, the findings with
// their evidence and the fix to paste, the host evidence, the inputs. Nothing is fetched: inline CSS,
// a little inline JavaScript (pinned by hash in the page's Content-Security-Policy, which also
// forbids every other script and resource), and the page reads completely without it, printed too.

import { createHash } from 'node:crypto';
import { adviceLines } from './advice-command.js';
import { html } from './escape.js';
import { clock, dur, time } from './time-text.js';
import { hostGroups, type FindingView, type IncidentView, type VridView } from './incident-view.js';
import { gapSvg, legendSvg, patternDefs, timelineSvg, type Axis } from './timeline-svg.js';

/** Master-history rows shown per virtual router (the newest); --report / --json have the rest. */
export const HISTORY_ROWS = 40;

const STYLE = `
:root{--fg:#1a1a1a;--muted:#5b6470;--line:#d5dae0;--bg:#fff;--crit:#b3261e;--warn:#8a5a00;--ok:#1d6b3a;--band:#1f5fa8}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1180px;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid var(--fg);padding-bottom:3px}h3{font-size:16px;margin:18px 0 6px}
code,pre,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.verdict{font-size:18px;font-weight:700;padding:8px 12px;border:3px solid;border-radius:4px;display:inline-block;margin:6px 0}
.level-critical{color:var(--crit)}.level-warning{color:var(--warn)}.level-ok{color:var(--ok)}.level-none{color:var(--muted)}
.meta{color:var(--muted);margin:4px 0}
.sev{font-weight:700;font-size:12px;letter-spacing:.04em;border:1.5px solid;border-radius:3px;padding:0 5px;margin-right:6px;white-space:nowrap}
.sev.sev-critical{color:var(--crit)}.sev.sev-warning{color:var(--warn)}.sev.sev-info{color:var(--muted)}
.kind{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;margin-left:6px}
ol.causes{padding-left:22px}#causes a{text-decoration:none}ol.causes li{margin:6px 0}
.finding{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:3px;padding:8px 14px 10px;margin:12px 0;break-inside:avoid}
.finding.sev-critical{border-left-color:var(--crit);border-left-style:solid}.finding.sev-warning{border-left-color:var(--warn);border-left-style:dashed}.finding.sev-info{border-left-style:dotted}
.finding h3{margin:4px 0 6px;color:var(--fg)}.finding .msg{margin:4px 0 6px;font-weight:600}
.when{color:var(--muted);font-size:13px;margin:0 0 4px}
ul.evidence{margin:4px 0 6px;padding-left:20px}ul.evidence li{margin:2px 0}
.advice{margin-top:6px}.advice p{margin:4px 0}
.fix{display:flex;align-items:flex-start;gap:8px;margin:4px 0;flex-wrap:wrap}
.fix .label{min-width:80px;color:var(--muted);font-size:13px;padding-top:5px}
.fix pre{margin:0;padding:4px 8px;background:#f3f5f7;border:1px solid var(--line);border-radius:3px;white-space:pre-wrap;word-break:break-all;flex:1 1 420px}
.fix .note{color:var(--muted);font-size:13px;flex-basis:100%;padding-left:88px}
button.copy{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--muted);background:#fff;border-radius:3px;cursor:pointer}
button.copy:hover{background:#eef2f6}
.vrid{margin:18px 0 26px;break-inside:avoid}
.vrid h3 .status{font-size:12px;font-weight:700;border:1.5px solid;border-radius:3px;padding:0 5px;margin-left:8px}
svg{display:block;overflow:visible}
svg text{font:12px system-ui,"DejaVu Sans",sans-serif;fill:var(--fg)}
.lane-bg{fill:#fff}.lane-bg.odd{fill:#f6f7f9}
.lane-title{font-weight:600}.lane-sub{fill:var(--muted)!important;font-size:11px!important}
.tick{fill:var(--muted)!important;font-size:11px!important}
.axis{stroke:var(--fg);stroke-width:1}.grid{stroke:var(--line);stroke-width:1;stroke-dasharray:2 3}
.band.master{fill:var(--band);stroke:#0d2f57;stroke-width:.5}.band-label{fill:#fff!important;font-size:9px!important;font-weight:700;letter-spacing:.06em;pointer-events:none}
.split{fill:url(#p-split);stroke:var(--crit);stroke-width:1}.p-split-bg{fill:#fde4e2}.p-split-fg{stroke:var(--crit);stroke-width:2}
.overlap{fill:#fff;stroke:#555;stroke-width:1;stroke-dasharray:2 1}.split-label{fill:var(--crit)!important;font-size:10px!important;font-weight:700;letter-spacing:.06em;paint-order:stroke;stroke:#fff;stroke-width:3px;pointer-events:none}
.nomaster{fill:url(#p-nomaster);stroke:#444;stroke-width:1}.p-nomaster-bg{fill:#eee}.p-nomaster-fg{stroke:#444;stroke-width:1}
.silence{fill:url(#p-silence);stroke:#b45309;stroke-width:1.2;stroke-dasharray:3 2}.p-silence-fg{fill:#b45309}
.mark{cursor:default;outline:none}.mark path,.mark rect,.mark circle{stroke-width:1.2}
.mark.takeover path{fill:#111;stroke:#111}.mark.release path{fill:#fff;stroke:#111}
.mark.garp path{fill:#0a7d4f;stroke:#064d31}.mark.na circle{fill:#fff;stroke:#0a7d4f}.mark.priority rect{fill:#6d28d9;stroke:#3b0f86}.mark.log rect{fill:#444;stroke:#444;stroke-width:.5}
.mark:hover path,.mark:hover rect,.mark:hover circle,.mark:focus path,.mark:focus rect,.mark:focus circle{stroke:#e11d48;stroke-width:2.5}
.mark-label{font-size:10.5px!important}.silence-label{fill:#7c3a06!important;font-size:10.5px!important;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.takeover-line{stroke:#111;stroke-width:.8;stroke-dasharray:1 3;pointer-events:none}
.gap line{stroke:#555;stroke-width:1.2}.gap.over line{stroke:var(--crit);stroke-width:2.5}.gap.over path{fill:var(--crit)}
.down-line{stroke:var(--crit);stroke-width:1.2;stroke-dasharray:6 3}.interval-line{stroke:var(--muted);stroke-width:1;stroke-dasharray:1 2}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left;vertical-align:top}th{font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
div.node{border-top:1px solid var(--line);margin-top:14px}.clock{margin:4px 0}
dl.counters{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:0 18px;margin:4px 0 10px;font-size:13px}.counter{display:flex;justify-content:space-between;border-bottom:1px solid var(--line);padding:2px 0}.counter dt{margin:0}.counter dd{margin:0;font-variant-numeric:tabular-nums}.counter.nonzero dd{font-weight:700}
details summary{cursor:pointer;color:var(--muted);margin:4px 0}
#tip{position:fixed;z-index:10;max-width:640px;background:#111;color:#fff;padding:6px 9px;border-radius:4px;font:12px/1.4 "DejaVu Sans Mono",Menlo,monospace;white-space:pre-wrap;pointer-events:none;box-shadow:0 2px 8px rgba(0,0,0,.3)}
#tip[hidden]{display:none}
.defs{position:absolute}
@media print{
 body{font-size:10.5pt;max-width:none;padding:0}
 button.copy,#tip{display:none!important}
 .finding,.vrid,table{break-inside:avoid}
 h2{break-after:avoid}
 details>summary{display:none}
 details::details-content{content-visibility:visible;display:block}
 .fix pre{background:none}
 a{color:inherit;text-decoration:none}
}
`.trim();

const SCRIPT = `
(function(){
var tip=document.getElementById('tip');
function show(el){tip.textContent=el.getAttribute('data-detail');tip.hidden=false;var r=el.getBoundingClientRect();var w=tip.offsetWidth,h=tip.offsetHeight;var x=Math.min(Math.max(4,r.left-8),window.innerWidth-w-8);var y=r.bottom+8;if(y+h>window.innerHeight-4)y=Math.max(4,r.top-h-8);tip.style.left=x+'px';tip.style.top=y+'px';}
function hide(){tip.hidden=true;}
var marks=document.querySelectorAll('[data-detail]');
for(var i=0;i<marks.length;i++){(function(m){var t=m.querySelector('title');if(t)t.parentNode.removeChild(t);m.addEventListener('mouseenter',function(){show(m);});m.addEventListener('mouseleave',hide);m.addEventListener('focus',function(){show(m);});m.addEventListener('blur',hide);})(marks[i]);}
function copied(b){b.textContent='Copied';setTimeout(function(){b.textContent='Copy';},1500);}
function fallback(text,b){var ta=document.createElement('textarea');ta.value=text;document.body.appendChild(ta);ta.select();try{document.execCommand('copy');copied(b);}catch(e){}document.body.removeChild(ta);}
var cmds=document.querySelectorAll('pre.cmd');
for(var j=0;j<cmds.length;j++){(function(p){var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';b.setAttribute('aria-label','copy the command');b.addEventListener('click',function(){var text=p.textContent;if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(function(){copied(b);},function(){fallback(text,b);});}else fallback(text,b);});p.parentNode.insertBefore(b,p.nextSibling);})(cmds[j]);}
})();
`.trim();

const hash = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
/** Nothing may load or run but the page's own style and script. */
export const CSP = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; base-uri 'none'; form-action 'none'`;


export function renderHtml(view: IncidentView): string {
  const axis: Axis = { start: view.start ?? view.end, end: view.end };
  const causes = view.findings.filter((f) => f.kind === 'cause' && f.severity !== 'info');
  const symptoms = view.findings.filter((f) => f.kind === 'symptom' && f.severity !== 'info');
  const title = `vrrpscope — ${view.verdict.text}${causes[0] ? ` — ${causes[0].code}` : ''}`;
  const out: string[] = [];
  out.push('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">');
  out.push(`<title>${html(title)}</title><style>${STYLE}</style></head><body>`);
  out.push(patternDefs());
  out.push('<header><h1>vrrpscope incident report</h1>');
  out.push(`<p class="verdict level-${view.verdict.level}" id="verdict">verdict: ${html(view.verdict.text)}</p>`);
  out.push(`<p class="meta">${view.start !== undefined ? `capture window ${html(time(view.start))} – ${html(time(view.end))} UTC (${dur(view.end - view.start)}) · ` : ''}seen: ${html(view.seen)}</p></header>`);

  out.push('<section id="causes"><h2>Cause</h2>');
  if (causes.length > 0) out.push(`<ol class="causes">${causes.map((f) => `<li>${findingLine(f)}</li>`).join('')}</ol>`);
  else if (symptoms.length > 0) out.push('<p>No cause could be told from this input; what it shows:</p>');
  else out.push(`<p>${view.vrids.length ? 'Nothing wrong was found: no warning or critical finding.' : 'No VRRP advertisement in the input.'}</p>`);
  if (symptoms.length > 0) out.push(`<p class="meta">${causes.length ? 'What it causes:' : ''}</p><ul>${symptoms.map((f) => `<li>${findingLine(f)}</li>`).join('')}</ul>`);
  out.push('</section>');

  out.push('<section id="timelines"><h2>Timeline</h2>');
  if (view.vrids.length) out.push(`<p class="meta">One time axis for every segment and node below. Hover or focus a mark for its packet.</p>${legendSvg()}`);
  if (view.vrids.length && view.clocks) out.push(`<p class="meta" id="clocks">Node clocks against the recording machine (already subtracted): ${html(view.clocks)}. Marks on different nodes closer together than their clocks' uncertainty are in no known order.</p>`);
  for (const v of view.vrids) out.push(vridSection(axis, v));
  out.push('</section>');

  out.push('<section id="findings"><h2>Findings</h2>');
  if (view.findings.length === 0) out.push('<p>none</p>');
  for (const f of view.findings) out.push(findingBlock(f));
  out.push('</section>');

  out.push(hostSection(view));

  out.push('<section id="inputs"><h2>Inputs</h2><table><thead><tr><th>input</th><th class="num">frames</th><th>note</th></tr></thead><tbody>');
  for (const i of view.inputs) out.push(`<tr><td class="mono">${html(i.name)}</td><td class="num">${i.frames}</td><td>${i.error ? `stopped: ${html(i.error)}` : ''}</td></tr>`);
  out.push('</tbody></table>');
  if (view.start !== undefined) out.push(`<p class="meta">capture window: ${html(time(view.start))} – ${html(time(view.end))} UTC (${dur(view.end - view.start)}); seen: ${html(view.seen)}</p>`);
  out.push('<p class="meta">Written by vrrpscope; times are packet times (UTC).</p></section>');
  out.push('<div id="tip" role="tooltip" hidden></div>');
  out.push(`<script>${SCRIPT}</script></body></html>`);
  return out.join('\n');
}

/** Escaped text with its `quoted` parts (rules, commands) set as code. */
function rich(s: string): string {
  return html(s).replace(/`([^`\n]+)`/g, '<code>$1</code>');
}

function findingLine(f: FindingView): string {
  return `<a href="#${f.id}"><span class="sev sev-${f.severity}">${f.severity.toUpperCase()}</span></a> <code class="code">${html(f.code)}</code>${f.where ? ` <span class="mono">${html(f.where)}</span>` : ''}: ${rich(f.message)}`;
}

function findingBlock(f: FindingView): string {
  const out: string[] = [`<article class="finding sev-${f.severity} kind-${f.kind}" id="${f.id}" data-code="${html(f.code)}" data-kind="${f.kind}">`];
  out.push(`<h3><span class="sev sev-${f.severity}">${f.severity.toUpperCase()}</span><code>${html(f.code)}</code>${f.where ? ` · <span class="mono">${html(f.where)}</span>` : ''}<span class="kind">${f.kind}</span></h3>`);
  out.push(`<p class="msg">${rich(f.message)}</p>`);
  if (f.causedBy) out.push(`<p class="when">caused by <code>${html(f.causedBy)}</code> (above)</p>`);
  out.push(`<p class="when">${f.first === f.last ? html(time(f.first)) : `${html(time(f.first))} – ${html(clock(f.last))}`} UTC</p>`);
  if (f.evidence.length) out.push(`<ul class="evidence">${f.evidence.map((e) => `<li>${rich(e)}</li>`).join('')}</ul>`);
  if (f.advice.length) {
    out.push('<div class="advice">');
    for (const s of adviceLines(f.advice)) {
      if (s.command === undefined) out.push(`<p>${html(s.text)}</p>`);
      else out.push(`<div class="fix"><span class="label">${html(s.label ?? '')}</span><pre class="cmd">${s.command.split('\n').map(html).join('\n')}</pre>${s.note ? `<span class="note">${html(s.note)}</span>` : ''}</div>`);
    }
    out.push('</div>');
  }
  out.push('</article>');
  return out.join('');
}

function vridSection(axis: Axis, v: VridView): string {
  const out: string[] = [`<section class="vrid" id="${v.id}" data-vrid="${html(v.label)}">`];
  out.push(`<h3><span class="mono">${html(v.label)}</span><span class="status">${html(v.status)}</span> <span class="meta">master now: ${html(v.master ?? 'none')}${v.instance ? ` · keepalived instance ${html(v.instance.name)}` : ''}</span></h3>`);
  out.push(timelineSvg(axis, v));
  out.push(gapSvg(axis, v));
  const rows = v.history.slice(-HISTORY_ROWS);
  out.push(`<details class="history" open><summary>master history (${v.history.length} spell(s)${v.historyDropped ? `, and ${v.historyDropped} older ones not kept` : ''})</summary><table><thead><tr><th>from (UTC)</th><th>master</th><th class="num">for</th><th>why</th></tr></thead><tbody>`);
  if (v.history.length > rows.length) out.push(`<tr><td colspan="4" class="meta">… ${v.history.length - rows.length} earlier change(s): see --report or --json</td></tr>`);
  for (const h of rows) out.push(`<tr class="spell" data-start="${h.start}" data-master="${html(h.master ?? '')}"><td class="mono">${html(clock(h.start))}</td><td class="mono">${html(h.master ?? '(no master)')}${h.local ? ' (this host)' : ''}</td><td class="num">${dur(h.end - h.start)}</td><td>${html(h.reason)}</td></tr>`);
  out.push('</tbody></table></details></section>');
  return out.join('');
}

function hostSection(view: IncidentView): string {
  const groups = hostGroups(view);
  if (groups.length === 0) return '';
  // Several nodes (--ssh, a bundle): each node's evidence under its name, its instances with it.
  const several = groups.some((g) => g.node?.node !== undefined);
  const out: string[] = ['<section id="host"><h2>Host evidence</h2>'];
  for (const g of groups) {
    const n = g.node;
    const h = several ? 'h4' : 'h3';
    if (several) out.push(`<div class="node" data-node="${html(n?.node ?? '')}"><h3>node <span class="mono">${html(n?.node ?? '?')}</span></h3>`);
    if (n?.clock) out.push(`<p class="clock">clock: <span class="mono">${html(n.clock)}</span> against the machine that recorded the nodes (already subtracted from its times; events on different nodes closer than their clocks' uncertainty are in no known order)</p>`);
    for (const v of g.vrids) {
      const i = v.instance!;
      out.push(`<${h}>keepalived instance <span class="mono">${html(i.name)}</span>${i.syncGroup ? ` (sync group <span class="mono">${html(i.syncGroup)}</span>)` : ''} — <span class="mono">${html(v.label)}</span></${h}>`);
      if (i.state) out.push(`<p>state: <b>${html(i.state)}</b>${i.wantState && i.wantState !== i.state ? `, wants <b>${html(i.wantState)}</b>` : ''}</p>`);
      if (i.firewall.length) out.push(`<ul class="firewall">${i.firewall.map((l) => `<li>firewall: ${rich(l)}</li>`).join('')}</ul>`);
      if (i.counters.length) {
        out.push('<p class="meta">keepalived\'s counters in its latest dump:</p><dl class="counters">');
        for (const [k, c] of i.counters) out.push(`<div class="counter${c > 0 ? ' nonzero' : ''}"><dt class="mono">${html(k)}</dt><dd>${c}</dd></div>`);
        out.push('</dl>');
      }
    }
    if (n) {
      if (n.sources.length) out.push(`<ul class="sources">${n.sources.map((s) => `<li>${html(s)}</li>`).join('')}</ul>`);
      if (n.lost.length) out.push(`<ul class="lost">${n.lost.map((s) => `<li>${html(s)}</li>`).join('')}</ul>`);
      if (n.problems.length) out.push(`<p>Problems reading it:</p><ul>${n.problems.map((s) => `<li>${html(s)}</li>`).join('')}</ul>`);
      if (n.logLines.length) {
        out.push(`<details><summary>${n.node !== undefined ? `${html(n.node)}'s ` : ''}keepalived log (${n.logLines.length} line(s) that matter)</summary><pre class="log">`);
        out.push(n.logLines.map((l) => `${l.ts !== undefined ? html(time(l.ts)) : '?'}  ${html(l.text)}`).join('\n'));
        out.push('</pre></details>');
      }
    }
    if (several) out.push('</div>');
  }
  out.push('</section>');
  return out.join('');
}
