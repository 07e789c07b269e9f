// `--markdown FILE|-`: the incident for a ticket or a chat, in GitHub-flavoured Markdown — verdict,
// causes, a compact master history, findings with evidence and advice, host evidence. Wire text is
// escaped (md, mdCode, mdFence), so nothing a packet carries becomes a link, an image or HTML.

import { adviceLines } from './advice-command.js';
import { blockSafe, md, mdCode, mdFence, mdRich } from './escape.js';
import { clock, dur, time } from './time-text.js';
import { hostGroups, type FindingView, type IncidentView } from './incident-view.js';

/** Master-history rows per virtual router in the ticket (the newest). */
export const MD_HISTORY_ROWS = 12;
/** keepalived log lines per node in the ticket (the newest; the page has more). */
export const MD_LOG_LINES = 12;


export function renderMarkdown(view: IncidentView): string {
  const out: string[] = [];
  const causes = view.findings.filter((f) => f.kind === 'cause' && f.severity !== 'info');
  const symptoms = view.findings.filter((f) => f.kind === 'symptom' && f.severity !== 'info');
  out.push('## vrrpscope incident report', '');
  out.push(`**Verdict: ${md(view.verdict.text)}**`, '');
  if (view.start !== undefined) out.push(`Capture window: ${time(view.start)} – ${time(view.end)} UTC (${dur(view.end - view.start)}); seen: ${md(view.seen)}.`, '');
  out.push(`Inputs: ${view.inputs.map((i) => `${mdCode(i.name)} (${i.frames} frames${i.error ? `, stopped: ${md(i.error)}` : ''})`).join(', ') || 'none'}.`, '');

  out.push('### Cause', '');
  if (causes.length) causes.forEach((f, i) => out.push(`${i + 1}. ${line(f)}`));
  else out.push(symptoms.length ? 'No cause could be told from this input.' : view.vrids.length ? 'Nothing wrong was found: no warning or critical finding.' : 'No VRRP advertisement in the input.');
  if (symptoms.length) {
    out.push('', causes.length ? 'What it causes:' : 'What it shows:', '');
    for (const f of symptoms) out.push(`- ${line(f)}`);
  }
  out.push('');

  out.push('### Master history', '');
  if (view.clocks && view.vrids.length) out.push(`Node clocks against the recording machine (already subtracted): ${md(view.clocks)}; events on different nodes closer together than that are in no known order.`, '');
  if (view.vrids.length === 0) out.push('No VRRP advertisement in the input.', '');
  else {
    out.push('| VRID | from (UTC) | master | for | why |', '|---|---|---|--:|---|');
    for (const v of view.vrids) {
      const rows = v.history.slice(-MD_HISTORY_ROWS);
      if (v.history.length > rows.length) out.push(`| ${md(v.label)} | … | ${v.history.length - rows.length} earlier change(s)${v.historyDropped ? `; ${v.historyDropped} older not kept` : ''} | | |`);
      for (const h of rows) out.push(`| ${md(v.label)} ${md(v.status)} | ${clock(h.start)} | ${md(h.master ?? '(no master)')}${h.local ? ' (this host)' : ''} | ${dur(h.end - h.start)} | ${md(h.reason)} |`);
    }
    out.push('');
  }

  out.push('### Findings', '');
  if (view.findings.length === 0) out.push('None.', '');
  for (const f of view.findings) {
    out.push(`#### ${f.severity.toUpperCase()} ${mdCode(f.code)}${f.where ? ` on ${md(f.where)}` : ''} (${f.kind})`, '');
    out.push(blockSafe(mdRich(f.message)), '');
    if (f.causedBy) out.push(`Caused by ${mdCode(f.causedBy)}.`, '');
    out.push(`*${f.first === f.last ? time(f.first) : `${time(f.first)} – ${clock(f.last)}`} UTC*`, '');
    for (const e of f.evidence) out.push(`- ${mdRich(e.trim())}`);
    if (f.evidence.length) out.push('');
    // Advice in its own order: prose as quotes, runs of commands as one block to paste from.
    let commands: string[] = [];
    const flush = (): void => {
      if (commands.length) out.push(commands.length > 2 ? 'Fix (one of):' : 'Fix:', '', mdFence(commands, 'sh'), '');
      commands = [];
    };
    for (const s of adviceLines(f.advice)) {
      if (s.command !== undefined) commands.push(`# ${s.label}${s.note ? ` ${s.note}` : ''}`, s.command);
      else {
        flush();
        out.push(`> ${md(s.text)}`, '');
      }
    }
    flush();
  }

  const groups = hostGroups(view);
  if (groups.length) {
    out.push('### Host evidence', '');
    // Several nodes (--ssh, a bundle): each node's evidence under its name, its instances with it.
    const several = groups.some((g) => g.node?.node !== undefined);
    for (const g of groups) {
      const n = g.node;
      if (several) out.push(`#### Node ${mdCode(n?.node ?? '?')}`, '');
      if (n?.clock) out.push(`- clock: ${md(n.clock)} against the machine that recorded the nodes (already subtracted; events on different nodes closer than that are in no known order)`);
      for (const v of g.vrids) {
        const i = v.instance!;
        const state = i.state ? `: ${md(i.state)}${i.wantState && i.wantState !== i.state ? `, wants ${md(i.wantState)}` : ''}` : '';
        out.push(`- ${md(v.label)} is keepalived instance ${mdCode(i.name)}${i.syncGroup ? ` (sync group ${mdCode(i.syncGroup)})` : ''}${state}`);
        for (const fw of i.firewall) out.push(`  - firewall: ${mdRich(fw)}`);
        const c = Object.fromEntries(i.counters);
        if (i.counters.length) out.push(`  - adverts received ${c['advertRcvd'] ?? '?'}, sent ${c['advertSent'] ?? '?'}; became master ${c['becomeMaster'] ?? '?'}×, released ${c['releaseMaster'] ?? '?'}×`);
      }
      for (const s of n?.sources ?? []) out.push(`- ${md(s)}`);
      for (const s of n?.lost ?? []) out.push(`- ${md(s)}`);
      for (const p of n?.problems ?? []) out.push(`- problem: ${md(p)}`);
      const log = (n?.logLines ?? []).slice(-MD_LOG_LINES);
      if (log.length) out.push('', `${n?.node !== undefined ? `${md(n.node)}'s keepalived log` : "keepalived's log"}, the last ${log.length} line(s) that matter:`, '', mdFence(log.map((l) => `${l.ts !== undefined ? time(l.ts) : '?'}  ${l.text}`)));
      out.push('');
    }
  }
  out.push('*Written by vrrpscope; times are packet times (UTC).*');
  return out.join('\n') + '\n';
}

function line(f: FindingView): string {
  return `**${f.severity.toUpperCase()}** ${mdCode(f.code)}${f.where ? ` on ${md(f.where)}` : ''}: ${mdRich(f.message)}`;
}
