// The incident page's drawing is bounded like the model: a day of flapping draws a page of fixed
// size with nothing silently lost (merged spans and marks say how many they stand for). And the
// text helpers: Markdown escaping and the commands split out of the advice.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import MarkdownIt from 'markdown-it';
import { analyze } from '../src/analysis/analyze.js';
import { Limits } from '../src/model/model-types.js';
import { Timeline } from '../src/model/timeline.js';
import { adviceLines } from '../src/views/html/advice-command.js';
import { md, mdCode, mdFence, mdLine, mdRich } from '../src/views/html/escape.js';
import { renderHtml } from '../src/views/html/html-page.js';
import { buildIncidentView } from '../src/views/html/incident-view.js';
import { renderMarkdown } from '../src/views/html/markdown.js';
import { PacketSample } from '../src/views/html/packet-sample.js';
import { layoutMarks, layoutSpans, WIDTH } from '../src/views/html/timeline-svg.js';
import { advert, garp, macOf } from './helpers/synthetic-packets.js';

const DAY = 86_400;

/** A day in which two routers take turns every 40 s (each falls silent, the other takes over and announces the VIP). */
function flappingDay(): { t: Timeline; sample: PacketSample; firstTakeover: bigint } {
  const t = new Timeline();
  const sample = new PacketSample();
  let firstTakeover = -1n;
  const feed = (p: ReturnType<typeof advert> | ReturnType<typeof garp>): void => {
    sample.add(p, 'eth0');
    t.apply({ kind: 'packet', segment: 'eth0', packet: p });
  };
  for (let s = 0; s < DAY; s += 40) {
    const who = (s / 40) % 2 === 0 ? '192.168.2.11' : '192.168.2.12';
    for (let k = 0; k < 36; k += 4) {
      const a = advert({ src: who, cs: 400 }, s + k);
      if (s === 40 && k === 0) firstTakeover = a.ts; // the day's first change of master
      feed(a);
      if (k === 0) feed(garp('192.168.2.1', macOf(who), s + 0.01));
    }
  }
  t.apply({ kind: 'tick', ts: BigInt(DAY) * 1_000_000_000n });
  return { t, sample, firstTakeover };
}

test('a day of flapping: every model span and mark is accounted for, the drawing stays bounded', () => {
  const { t, sample } = flappingDay();
  const v = [...t.vrids.values()][0]!;
  // 2 159 changes of master; the model keeps the newest (Limits.history, trimmed at twice that).
  assert.ok(v.changes > 2000 && v.transitions.length >= Limits.history, `changes: ${v.changes}, transitions kept: ${v.transitions.length}`);
  const view = buildIncidentView({ timeline: t, findings: analyze(t), inputs: [{ name: 'synthetic', frames: 0, error: undefined }], packets: sample });
  const axis = { start: view.start!, end: view.end };
  const vr = view.vrids[0]!;
  for (const lane of vr.lanes) {
    const bands = layoutSpans(axis, lane.master);
    assert.equal(bands.reduce((n, b) => n + b.spans.length, 0), lane.master.length, 'every spell is in some drawn band');
    assert.ok(bands.length <= WIDTH, `${bands.length} bands`);
    const marks = layoutMarks(axis, lane.marks);
    assert.equal(marks.reduce((n, m) => n + 1 + m.others, 0), lane.marks.length, 'every mark is drawn or counted');
    assert.ok(marks.length <= WIDTH / 4 + 1, `${marks.length} marks`);
  }
  const page = renderHtml(view);
  const drawnMarks = (page.match(/<g class="mark /g) ?? []).length;
  assert.ok(drawnMarks < 2 * (WIDTH / 4 + 1) + 20, `${drawnMarks} marks drawn`);
  // The history table shows the newest spells only; the page stays small.
  assert.ok(page.length < 1_500_000, `page ${page.length} bytes`);
  assert.ok(renderMarkdown(view).length < 20_000);
});

test('the packet sample keeps the packets behind the marks, and only a bounded number', () => {
  const { t, sample, firstTakeover } = flappingDay();
  const v = [...t.vrids.values()][0]!;
  const last = v.transitions[v.transitions.length - 1]!;
  assert.match(sample.find('eth0', last.ts, last.to) ?? '', /VRRPv2 vrid 51 prio 100/);
  // 2 packets per 40 s turn over a day: far more than kept; the oldest are gone.
  assert.equal(sample.find('eth0', firstTakeover, '192.168.2.12'), undefined);
});

test('Markdown escaping: markup in wire text stays text; addresses stay readable', () => {
  const mdit = new MarkdownIt({ html: true, linkify: true });
  const hostile = ['<script>alert(1)</script>', '[x](javascript:alert(1))', '![i](x.png)', '*b* _i_ `c` ~~s~~ | a | b |', 'see http://example.invalid/x and www.example.invalid', '<http://a.invalid>', '&lt; &amp;'];
  for (const h of hostile) {
    const out = mdit.renderInline(md(h));
    assert.ok(!/<(script|a|img|em|strong|code|s|del)\b/.test(out), `${h} → ${out}`);
  }
  assert.equal(md('192.168.2.11 fe80::1'), '192.168.2.11 fe80::1');
  assert.equal(mdit.renderInline(md('&lt;')), '&amp;lt;');
  // At the start of a line nothing may start a block.
  for (const h of ['# head', '- item', '+ item', '1. item', '= =']) assert.match(mdit.render(mdLine(h)), /^<p>/, h);
  assert.equal(mdit.renderInline(mdCode('a `b` c')), '<code>a `b` c</code>');
  // Our own `quoted` rule text becomes code; markup inside it stays text.
  assert.equal(mdit.renderInline(mdRich('rule 1 `-A INPUT -j DROP` drops <b>it</b>')), 'rule 1 <code>-A INPUT -j DROP</code> drops &lt;b&gt;it&lt;/b&gt;');
  assert.equal(mdit.renderInline(mdRich('`<script>` [x](y)')), '<code>&lt;script&gt;</code> [x](y)');
  const fenced = mdit.parse(mdFence(['x ``` y', 'z']), {}).find((tk) => tk.type === 'fence');
  assert.equal(fenced?.content, 'x ``` y\nz\n');
});

test('advice: commands to paste are split from their labels and remarks; continuation lines join', () => {
  const a = adviceLines([
    'iptables:  iptables -I INPUT -i eth0 -p vrrp -j ACCEPT   (IPv6: ip6tables -I INPUT -i eth0 -p vrrp -j ACCEPT)',
    'or: # /etc/ufw/before.rules:',
    '    -A ufw-before-input -i eth0 -p vrrp -j ACCEPT',
    'Check both nodes.',
  ]);
  assert.deepEqual(
    a.map((x) => [x.label, x.command, x.note]),
    [
      ['iptables', 'iptables -I INPUT -i eth0 -p vrrp -j ACCEPT', '(IPv6: ip6tables -I INPUT -i eth0 -p vrrp -j ACCEPT)'],
      ['or', '# /etc/ufw/before.rules:\n-A ufw-before-input -i eth0 -p vrrp -j ACCEPT', undefined],
      [undefined, undefined, undefined],
    ],
  );
});
