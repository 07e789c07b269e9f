// `--report`: a plain-text diagnosis for an 80-column terminal — a summary per segment/VRID, the
// master history, then the findings, most severe first, each with evidence and advice.

import type { Finding } from '../analysis/finding.js';
import type { InstanceLink } from '../host/correlate.js';
import { Limits } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import { inertText as inert } from '../util/inert.js';
import { formatTime } from './packet-line.js';
import { verdictOf } from './verdict.js';
import { vridLabeler, withPriority } from './segment-name.js';
import { intervalText, seconds } from './time-format.js';
import { compareVrids, summarizeVrid, type VridSummary } from './vrid-summary.js';
import { wrapText } from './wrap-text.js';

const WIDTH = 80;

export type ReportInput = { readonly name: string; readonly frames: number; readonly error: string | undefined };

export function renderReport(t: Timeline, findings: readonly Finding[], inputs: readonly ReportInput[], instances: readonly InstanceLink[] = []): string {
  const out: string[] = [];
  reportBody(t, findings, inputs, instances, out);
  return out.join('\n') + '\n';
}

/**
 * The report, handed to `emit` line by line as it is made and without the blank space at its end. The
 * CLI writes it a batch at a time: a day-long capture's report is most of a megabyte, and holding it
 * whole (as lines, then joined, trimmed, encoded) was the largest allocation of the run.
 */
export function writeReport(t: Timeline, findings: readonly Finding[], inputs: readonly ReportInput[], instances: readonly InstanceLink[], emit: (line: string) => void): void {
  const out = new TrimmedLines(emit);
  reportBody(t, findings, inputs, instances, out);
  out.end();
}

/** Passes lines on, holding blank ones back until a line with words follows them. */
class TrimmedLines {
  private last: string | undefined;
  private blank: string[] = [];
  constructor(private readonly emit: (line: string) => void) {}
  push(...lines: string[]): void {
    for (const l of lines) {
      if (l.trimEnd() === '') {
        this.blank.push(l);
        continue;
      }
      if (this.last !== undefined) this.emit(this.last);
      for (const b of this.blank) this.emit(b);
      this.blank = [];
      this.last = l;
    }
  }
  end(): void {
    if (this.last !== undefined) this.emit(this.last.trimEnd());
  }
}

// (No generator: a generator this long costs TurboFan megabytes to compile, the run's peak memory.)
function reportBody(t: Timeline, findings: readonly Finding[], inputs: readonly ReportInput[], instances: readonly InstanceLink[], out: { push(...lines: string[]): void }): void {
  const rows = [...t.vrids.values()].sort(compareVrids).map((v) => summarizeVrid(v, findings, t.now));
  out.push('vrrpscope report');
  out.push('='.repeat(16));
  for (const i of inputs) out.push(...wrap(`input: ${inert(i.name)} — ${i.frames} frames${i.error ? ` (stopped: ${inert(i.error)})` : ''}`, '  '));
  if (t.first !== undefined) out.push(`time:  ${formatTime(t.first)} – ${formatTime(t.now)} UTC (${seconds(t.now - t.first, 0)})`);
  const c = t.counters;
  out.push(`seen:  ${c.adverts} VRRP adverts, ${c.garps} gratuitous ARP/NA, ${c.arp} ARP, ${c.malformed} malformed${c.carp ? `, ${c.carp} CARP` : ''}${untrackedText(t)}`);
  out.push(`verdict: ${verdictOf(rows.length, findings).text}`);
  out.push('');
  out.push('SEGMENT/VRID   STATE       MASTER (PRIO)         INTVL ADVS MAXGAP/DOWN CHG /10m');
  const labelOf = vridLabeler(rows.map((r) => ({ ...r, segment: inert(r.segment) })), 14);
  for (const r of rows) out.push(row(r, labelOf));
  if (rows.length === 0) out.push('  (no VRRP advertisements in the input)');
  for (const l of instances) {
    const st = l.state ? ` — keepalived: ${l.state}${l.wantState && l.wantState !== l.state ? `, wants ${l.wantState}` : ''}` : '';
    out.push(...wrap(`  ${label(l.vrid)} is keepalived instance ${inert(l.name)}${l.syncGroup ? ` (sync group ${inert(l.syncGroup)})` : ''}${st}`, '    '));
    if (l.counters) {
      const c = l.counters;
      const errors = Object.entries(c).filter(([k, n]) => n > 0 && !['advertRcvd', 'advertSent', 'becomeMaster', 'releaseMaster', 'priZeroSent', 'priZeroRcvd'].includes(k));
      out.push(...wrap(`    adverts received ${c['advertRcvd'] ?? '?'}, sent ${c['advertSent'] ?? '?'}; became master ${c['becomeMaster'] ?? '?'}×, released ${c['releaseMaster'] ?? '?'}×${errors.length ? `; errors: ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`, '      '));
    }
  }
  for (const r of rows) if (r.partLabel) out.push(...wrap(`  ${label(r)} is one of several virtual routers on VRID ${r.vrid}: ${inert(r.partLabel)}, routers ${[r.master, ...r.backups].filter((x) => x !== undefined).map((x) => x!.address).join(', ')}`, '    '));
  for (const r of rows) {
    if (r.backups.length === 0) continue;
    out.push(...wrap(`  ${label(r)} others: ${r.backups.map((b) => `${b.address}${b.local ? ' (this host)' : ''} prio ${b.priority}`).join(', ')}`, '    '));
  }

  out.push('');
  out.push('Master history');
  out.push('--------------');
  for (const v of [...t.vrids.values()].sort(compareVrids)) {
    out.push(`${label({ segment: v.segment, vrid: v.vrid, family: v.family, part: v.part, partLabel: v.label })}:`);
    const hist = v.history.slice(-12);
    if (v.history.length > hist.length) out.push(`  … ${v.history.length - hist.length} earlier change(s)${v.dropped.history ? `; ${v.dropped.history} older not kept (the model keeps the newest)` : ''}`);
    for (const h of hist) {
      const who = h.master === undefined ? '(no master)' : `${h.master}${v.routers.get(h.master)?.local ? ' (this host)' : ''}`;
      const len = (h.end ?? t.now) - h.start;
      out.push(...wrap(`  ${formatTime(h.start).slice(11, 23)} ${who.padEnd(28)} ${seconds(len).padStart(8)}  ${h.reason}`, '    '));
    }
  }

  out.push('');
  out.push('Findings');
  out.push('--------');
  if (findings.length === 0) out.push('  none');
  for (const f of findings) {
    // line by line, not out.push(...lines): a long quote from a host file wraps to more lines than a call takes arguments
    for (const l of wrap(`[${f.severity.toUpperCase()}] ${f.code}: ${inert(f.message)}`, '    ')) out.push(l);
    for (const e of f.evidence) for (const l of wrap(`  - ${inert(e)}`, '    ')) out.push(l);
    for (const a of f.advice) for (const l of wrap(`  > ${inert(a)}`, '    ')) out.push(l);
    out.push('');
  }
}

function label(r: { segment: string; vrid: number; family: number; part?: number; partLabel?: string }): string {
  return `${inert(r.segment)}/${r.vrid}${r.family === 6 ? 'v6' : ''}${r.partLabel ? `#${(r.part ?? 0) + 1}` : ''}`;
}

function row(r: VridSummary, labelOf: (v: VridSummary) => string): string {
  const master = r.master ? withPriority(`${r.master.address}${r.master.local ? '*' : ''}`, r.master.priority, 21) : '-';
  const intvl = r.intervalCs !== undefined ? intervalText(r.intervalCs) : '-';
  const gap = r.masterDownNs !== undefined ? `${seconds(r.maxGapNs)}/${seconds(r.masterDownNs)}` : '-';
  // The VRID whole; the segment shortened as on the dashboard (segment-name.ts).
  const line = `${fit(labelOf({ ...r, segment: inert(r.segment) }), 14)} ${fit(r.status, 11)} ${fit(master, 21)} ${intvl.padStart(5)} ${String(r.adverts).padStart(4)} ${gap.padStart(11)} ${String(r.changes).padStart(3)} ${String(r.flaps.last10m).padStart(4)}`;
  return line.length > WIDTH ? line.slice(0, WIDTH) : line;
}

function fit(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n);
}

/** Word-wraps to 80 columns, keeping the first line's leading spaces; continuation lines get `indent`. */
export function wrap(text: string, indent: string): string[] {
  if (text.length <= WIDTH) return [text];
  const lead = /^ */.exec(text)![0];
  return wrapText(text.slice(lead.length), WIDTH, indent, lead);
}

/** ", 3 more VRIDs and 40 more routers not tracked (…)" when the model's caps were reached. */
export function untrackedText(t: Timeline): string {
  if (t.droppedAdverts === 0) return '';
  const parts = [t.droppedVrids > 0 ? `${t.droppedVrids} more VRIDs` : '', t.droppedRouters > 0 ? `${t.droppedRouters} more routers` : ''].filter((x) => x !== '');
  return `; ${t.untrackedCapped ? 'at least ' : ''}${parts.join(' and ')} not tracked (${t.droppedAdverts} adverts; the model keeps at most ${Limits.vrids} virtual routers, ${Limits.routers} routers, ${Limits.routersPerVrid} per VRID)`;
}
