// The incident page (--html) in a real browser (Debian chromium, over the DevTools protocol on a
// pipe), on lab recordings of real keepalived: what the DOM draws must be what the model decided
// (master bands = master history, takeover marks = transitions, split-brain spans = episodes, one
// time axis for all), the cause comes first, nothing is fetched or run from outside, hovering a
// mark shows its packet, and it prints. The Markdown ticket (--markdown) of the same runs is parsed
// with markdown-it. Screenshots go to $VRRPSCOPE_SCREENSHOTS (docs/img: `npm run screenshots`).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import MarkdownIt from 'markdown-it';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import { loadBundle, type HostEvidence } from '../src/host/host-evidence.js';
import { findingKind, vridLabel } from '../src/views/html/incident-view.js';
import { Browser, CHROMIUM, type Page } from './helpers/chromium.js';
import { PcapngWriter, VRRP2_FRAME, withVrrpChecksum } from './helpers/capture-writer.js';
import { labBundle } from './helpers/lab-bundle.js';
import { runCli } from './helpers/run-cli.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/', import.meta.url));
const OUT = mkdtempSync(join(tmpdir(), 'vrrpscope-html-'));
const SHOTS = process.env['VRRPSCOPE_SCREENSHOTS'] || join(OUT, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** node2's host bundle, as command-line options and as evidence. */
function bundle(dir: string): { args: string[]; host: HostEvidence } {
  const d = join(LAB, dir);
  const json = readdirSync(d)
    .filter((f) => f.startsWith('node2-json-'))
    .sort()
    .map((f) => `${join(d, f)}@${f.slice('node2-json-'.length, -'.json'.length)}`);
  const fw = ['node2.iptables-save', 'node2.nft.json'].map((f) => join(d, f));
  const args = ['--keepalived-conf', join(d, 'node2.conf'), ...json.flatMap((j) => ['--keepalived-json', j]), '--keepalived-log', join(d, 'node2.log'), ...fw.flatMap((f) => ['--firewall', f])];
  return { args, host: loadBundle({ conf: join(d, 'node2.conf'), json, log: join(d, 'node2.log'), firewall: fw }) };
}

type Case = { readonly dir: string; readonly withBundle: boolean; readonly cause: string | undefined };
const CASES: Case[] = [
  { dir: 'firewall-eth0-both', withBundle: false, cause: 'check-firewall' },
  { dir: 'failover-failback', withBundle: false, cause: undefined },
  { dir: 'lossy-eth0', withBundle: false, cause: 'advert-loss' },
  { dir: 'sync-group-firewall', withBundle: true, cause: 'adverts-dropped-on-host' },
  { dir: 'vrid-conflict', withBundle: false, cause: 'vrid-conflict' },
];

let browser: Browser;
before(async () => {
  assert.ok(CHROMIUM, 'chromium is not installed: the browser tests need it (apt-get install chromium; .ci/run installs it)');
  browser = await Browser.launch();
});
after(async () => {
  await browser?.close();
  rmSync(OUT, { recursive: true, force: true });
});

type Dom = {
  csp: string | undefined;
  external: string[];
  scripts: number;
  copyButtons: number;
  commands: number;
  causes: string[];
  findings: { code: string; kind: string }[];
  vrids: {
    label: string;
    bands: { router: string; start: string; end: string; count: number; x: number; w: number }[];
    takeovers: { ts: string; router: string; others: number; cx: number }[];
    splits: { start: string; end: string }[];
    overlaps: { start: string; end: string }[];
    ticks: string[];
  }[];
  gapTicks: string[][];
};

const DOM_QUERY = `(() => {
  const num = (e, a) => Number(e.getAttribute(a));
  return {
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
    external: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^(src|href|srcset|action|formaction|data|poster|background|xlink:href|ping)$/i.test(a.name) && !a.value.startsWith('#')).map((a) => e.tagName + ' ' + a.name + '=' + a.value))
      .concat([...document.querySelectorAll('style')].flatMap((s) => (s.textContent.match(/url\\((?!#)[^)]*\\)|@import/g) || []))),
    scripts: document.scripts.length,
    copyButtons: document.querySelectorAll('button.copy').length,
    commands: document.querySelectorAll('pre.cmd').length,
    causes: [...document.querySelectorAll('#causes ol.causes > li > code.code')].map((e) => e.textContent),
    findings: [...document.querySelectorAll('#findings article.finding')].map((e) => ({ code: e.dataset.code, kind: e.dataset.kind })),
    vrids: [...document.querySelectorAll('section.vrid')].map((s) => ({
      label: s.dataset.vrid,
      bands: [...s.querySelectorAll('rect.band.master')].map((r) => ({ router: r.dataset.router, start: r.dataset.start, end: r.dataset.end, count: Number(r.dataset.count), x: num(r, 'x'), w: num(r, 'width') })),
      takeovers: [...s.querySelectorAll('.mark.takeover')].map((m) => { const b = m.querySelector('path').getBBox(); return { ts: m.dataset.ts, router: m.dataset.router, others: Number(m.dataset.hiddenTakeovers), cx: b.x + b.width / 2 }; }),
      splits: [...s.querySelectorAll('rect.split')].map((r) => ({ start: r.dataset.start, end: r.dataset.end })),
      overlaps: [...s.querySelectorAll('rect.overlap')].map((r) => ({ start: r.dataset.start, end: r.dataset.end })),
      ticks: [...s.querySelectorAll('svg.timeline text.tick')].map((t) => t.getAttribute('x') + ' ' + t.textContent),
    })),
    gapTicks: [...document.querySelectorAll('svg.gaps')].map((g) => [...g.querySelectorAll('line.grid')].map((l) => l.getAttribute('x1'))),
  };
})()`;

/** The page itself is the only request, the policy forbids everything else, nothing links out, and the one script ran. */
function assertSelfContained(page: Page, url: string, dom: Dom): void {
  assert.deepEqual(page.requests, [url]);
  assert.match(dom.csp ?? '', /^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/);
  assert.deepEqual(dom.external, []);
  assert.equal(dom.scripts, 1);
  // The page's own script ran under that policy (it adds the copy buttons) and nothing was refused.
  assert.equal(dom.copyButtons, dom.commands);
  assert.deepEqual(page.console.filter((m) => /Content.Security.Policy|Refused|error/i.test(m)), []);
}

for (const c of CASES) {
  test(`${c.dir}: the page draws the model's timeline, the cause first, self-contained`, async () => {
    const d = join(LAB, c.dir);
    const input = join(d, 'node2.pcapng');
    const b = c.withBundle ? bundle(c.dir) : undefined;
    const html = join(OUT, `${c.dir}.html`);
    const mdFile = join(OUT, `${c.dir}.md`);
    const r = runCli(['-r', input, ...(b?.args ?? []), '--html', html, '--markdown', mdFile]);
    assert.equal(r.stderr, '');
    assert.ok(r.status === 0 || r.status === 1, `status ${r.status}`);
    assert.equal(r.stdout, '', 'without --report, --html writes only the file');
    const { timeline, findings } = await analyzeCaptures([{ label: undefined, path: input }], { warn: () => undefined, host: b?.host });

    const url = pathToFileURL(html).href;
    const page = await browser.open(url);
    const dom = await page.eval<Dom>(DOM_QUERY);
    assertSelfContained(page, url, dom);

    // The cause comes first: in the Cause list and in the findings.
    const causes = findings.filter((f) => findingKind(f) === 'cause' && f.severity !== 'info');
    assert.deepEqual(dom.causes, causes.map((f) => f.code));
    if (c.cause) assert.equal(dom.causes[0], c.cause, JSON.stringify(dom.causes));
    else assert.deepEqual(dom.causes, []);
    const rank = { cause: 0, symptom: 1, info: 2 } as Record<string, number>;
    assert.deepEqual(dom.findings.map((f) => rank[f.kind]), [...dom.findings.map((f) => rank[f.kind]!)].sort(), 'causes, then symptoms, then info');
    if (causes.length) assert.equal(dom.findings[0]!.kind, 'cause');
    assert.equal(dom.findings.length, findings.length);

    // Every virtual router of the model, drawn from its own history, transitions and episodes.
    const vrids = [...timeline.vrids.values()];
    assert.deepEqual(dom.vrids.map((v) => v.label).sort(), vrids.map((v) => vridLabel(v)).sort());
    for (const v of vrids) {
      const drawn = dom.vrids.find((x) => x.label === vridLabel(v))!;
      const spells = v.history.filter((h) => h.master !== undefined);
      // Master bands: one per spell (the recordings are short: nothing merges), same start and end.
      assert.deepEqual(
        drawn.bands.map((x) => `${x.router} ${x.start} ${x.end} ${x.count}`).sort(),
        spells.map((h) => `${h.master} ${h.start} ${h.end ?? timeline.now} 1`).sort(),
        `${drawn.label} master bands`,
      );
      // Takeover marks: one per transition, on the new master's lane, where its band begins.
      assert.deepEqual(drawn.takeovers.reduce((n, m) => n + 1 + m.others, 0), v.transitions.length, `${drawn.label} takeovers`);
      for (const m of drawn.takeovers) {
        const t = v.transitions.find((x) => String(x.ts) === m.ts);
        assert.ok(t, `${drawn.label}: takeover mark at ${m.ts} is no transition of the model`);
        assert.equal(m.router, t.to);
        const band = drawn.bands.find((x) => x.router === t.to && x.start === m.ts);
        if (band) assert.ok(Math.abs(band.x - m.cx) < 0.6, `${drawn.label}: mark at x ${m.cx}, band starts at ${band.x}`);
        // The band of the master it replaced ends right there.
        const prev = drawn.bands.find((x) => x.router === t.from && x.end === m.ts);
        if (prev && band) assert.ok(Math.abs(prev.x + prev.w - band.x) < 0.6);
      }
      // Every episode of two claims is drawn: as a split brain where the analysis reports one, else as a hand-over.
      assert.deepEqual([...drawn.splits, ...drawn.overlaps].map((s) => s.start).sort(), v.splitBrains.map((e) => String(e.start)).sort(), `${drawn.label} episodes`);
      const split = findings.find((f) => f.code === 'split-brain' && f.segment === v.segment && f.vrid === v.vrid);
      assert.equal(drawn.splits.length > 0, split !== undefined, `${drawn.label}: split-brain spans drawn ${drawn.splits.length}, finding ${split?.message}`);
    }
    // One time axis: every timeline and gap chart has the same ticks at the same places.
    for (const v of dom.vrids) assert.deepEqual(v.ticks, dom.vrids[0]!.ticks);
    for (const g of dom.gapTicks) assert.deepEqual(g, dom.gapTicks[0]);
    assert.ok(dom.vrids[0]!.ticks.length >= 3, JSON.stringify(dom.vrids[0]!.ticks));

    // Hovering a mark shows what it is and its packet.
    const hovered = await page.eval<{ x: number; y: number } | null>(`(() => { const m = document.querySelector('section.vrid .mark.takeover') || document.querySelector('section.vrid .mark.garp'); if (!m) return null; m.scrollIntoView({ block: 'center' }); const r = m.querySelector('path, rect, circle').getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`);
    if (hovered) {
      assert.equal(await page.eval<boolean>("document.getElementById('tip').hidden"), true);
      await page.hover(hovered.x, hovered.y);
      const tip = await page.eval<{ hidden: boolean; text: string }>("({ hidden: document.getElementById('tip').hidden, text: document.getElementById('tip').textContent })");
      assert.equal(tip.hidden, false);
      assert.match(tip.text, /(→|is-at).*\n.*(VRRPv[23] vrid \d+ prio \d+|gratuitous ARP).* — frame \d+ of node2\.pcapng/s, tip.text);
      if (c.dir === 'firewall-eth0-both') await page.viewport(join(SHOTS, `hover-${c.dir}.png`));
    }

    // Pictures to look at (docs/img with `npm run screenshots`): every timeline, two whole pages, one printed in grey.
    await page.screenshot(join(SHOTS, `timeline-${c.dir}.png`), { element: '#timelines' });
    if (c.dir === 'firewall-eth0-both' || c.dir === 'sync-group-firewall') await page.screenshot(join(SHOTS, `page-${c.dir}.png`));
    if (c.dir === 'firewall-eth0-both') await page.screenshot(join(SHOTS, `print-${c.dir}.png`), { print: true, grey: true });
    // Printed: no buttons, no tooltip; and it does print.
    await page.send('Emulation.setEmulatedMedia', { media: 'print' });
    assert.equal(await page.eval<string>("getComputedStyle(document.querySelector('button.copy') || document.body).display === 'none' || !document.querySelector('button.copy') ? 'none' : 'shown'"), 'none');
    await page.send('Emulation.setEmulatedMedia', { media: '' });
    if (c.dir === 'firewall-eth0-both') assert.equal((await page.pdf()).subarray(0, 5).toString(), '%PDF-');
    await page.send('Page.close');

    checkMarkdown(readFileSync(mdFile, 'utf8'), c, causes.map((f) => f.code));
  });
}

test('sync-group-firewall with the bundle: host evidence shows the instance, its counters and the DROP rule', async () => {
  const html = readFileSync(join(OUT, 'sync-group-firewall.html'), 'utf8');
  const url = pathToFileURL(join(OUT, 'sync-group-firewall.html')).href;
  const page = await browser.open(url);
  const host = await page.eval<{ text: string; counters: number; log: string[] }>(
    "({ text: document.querySelector('#host').textContent, counters: document.querySelectorAll('#host dl.counters .counter').length, log: [...document.querySelectorAll('.lane[data-router=\"log:SERVICE\"] .mark.log')].map((m) => m.dataset.detail) })",
  );
  await page.send('Page.close');
  assert.match(host.text, /keepalived instance SERVICE \(sync group G1\)/);
  assert.match(host.text, /state: BACKUP, wants MASTER/);
  assert.match(host.text, /adverts from 192\.168\.2\.11 on eth0: iptables filter INPUT rule 1 -A INPUT -i eth0 -p vrrp -j DROP drops them/);
  assert.ok(host.counters > 3);
  // keepalived's log on the same time axis: the backup never hears the master.
  assert.ok(host.log.filter((l) => /Receive advertisement timeout/.test(l)).length >= 5, host.log.join('\n'));
  assert.match(html, /advert_rcvd|advertRcvd/);
});

/** The Markdown ticket, parsed as GFM by markdown-it: structure, cause first, fixes in code blocks, no HTML or links. */
function checkMarkdown(text: string, c: Case, causes: string[]): void {
  const mdit = new MarkdownIt({ html: true, linkify: true });
  const tokens = mdit.parse(text, {});
  const all = tokens.flatMap((t) => [t, ...(t.children ?? [])]);
  assert.deepEqual(all.filter((t) => /^html_|^link_open$|^image$/.test(t.type)).map((t) => t.content || t.type), [], 'no HTML, links or images');
  assert.equal(tokens.find((t) => t.type === 'inline')?.content, 'vrrpscope incident report');
  assert.ok(tokens.some((t) => t.type === 'table_open'), 'the master history is a table');
  const rendered = mdit.render(text);
  const causeList = rendered.split('<h3>Cause</h3>')[1]!.split('<h3>')[0]!;
  if (causes.length) assert.match(causeList, new RegExp(`^\\s*<ol>\\s*<li><strong>(CRITICAL|WARNING)</strong> <code>${causes[0]}</code>`), causeList);
  if (c.cause) assert.equal(causes[0], c.cause);
  if (/firewall/.test(c.dir)) {
    const fences = tokens.filter((t) => t.type === 'fence');
    assert.ok(fences.some((f) => f.info === 'sh' && /^iptables -I INPUT (1 )?-i eth0 -p vrrp -j ACCEPT$/m.test(f.content)), fences.map((f) => f.content).join('\n---\n'));
  }
  writeFileSync(join(OUT, `${c.dir}.rendered.html`), rendered);
}

test('without JavaScript the page reads the same: every mark keeps its details, every command is there', async () => {
  const url = pathToFileURL(join(OUT, 'firewall-eth0-both.html')).href;
  const page = await browser.open(url, 1200, 900, { noScript: true });
  const seen = await page.eval<{ marks: number; titled: number; commands: number; buttons: number; causes: number; firstTitle: string }>(
    "({ marks: document.querySelectorAll('section.vrid .mark').length, titled: document.querySelectorAll('section.vrid .mark > title').length, commands: document.querySelectorAll('pre.cmd').length, buttons: document.querySelectorAll('button').length, causes: document.querySelectorAll('#causes li').length, firstTitle: document.querySelector('section.vrid .mark.takeover > title').textContent })",
  );
  await page.screenshot(join(SHOTS, 'no-script.png'), { element: '#v1' });
  await page.send('Page.close');
  assert.ok(seen.marks > 0);
  assert.equal(seen.titled, seen.marks, 'each mark has its details as an SVG title (a native tooltip)');
  assert.match(seen.firstTitle, /192\.168\.2\.11 → 192\.168\.2\.12: took over while the master was still advertising[^\n]*\n.*VRRPv2 vrid 51[^\n]*\nalso here: gratuitous ARP/);
  assert.ok(seen.commands >= 4);
  assert.equal(seen.buttons, 0, 'no dead buttons without the script');
  assert.ok(seen.causes >= 1);
});

// ---------------------------------------------------------------------------------------------
// Wire text that is markup: an interface name and auth strings holding <script> and HTML.

const HOSTILE_IF = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"><b>eth0</b>[x](javascript:alert(1))|col';

/** A VRRPv2 advert for VRID 51 from 192.0.2.<last> with a simple-text password (8 bytes at most). */
function advert(last: number, prio: number, pass: string): Uint8Array {
  const f = Uint8Array.from(VRRP2_FRAME);
  f[11] = 51;
  f[29] = last;
  f[35] = 51;
  f[36] = prio;
  f[38] = 1;
  f.set(new Uint8Array(8), 46);
  f.set(new TextEncoder().encode(pass).subarray(0, 8), 46);
  f[40] = f[41] = 0;
  return withVrrpChecksum(f, 34);
}

test('auth strings and interface names with <script> and HTML show as text, in the page and in the ticket', async () => {
  const w = new PcapngWriter().section(true).iface({ linktype: 1, name: HOSTILE_IF, tsresol: 6 });
  const t0 = 1_795_640_000_000_000n;
  for (let i = 0; i < 8; i++) {
    w.epb(0, t0 + BigInt(i) * 1_000_000n, advert(11, 100, '<script>'));
    w.epb(0, t0 + BigInt(i) * 1_000_000n + 300_000n, advert(12, 90, '<b>x</b>'));
  }
  const cap = join(OUT, 'hostile.pcapng');
  writeFileSync(cap, w.done());
  const html = join(OUT, 'hostile.html');
  const r = runCli(['-r', cap, '--html', html, '--markdown', '-']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 1);
  assert.ok(existsSync(html));

  const url = pathToFileURL(html).href;
  const page = await browser.open(url);
  const dom = await page.eval<Dom>(DOM_QUERY);
  assertSelfContained(page, url, dom);
  const seen = await page.eval<{ pwned: unknown; imgs: number; bold: number; text: string; title: string }>(
    "({ pwned: window.pwned, imgs: document.images.length, bold: document.querySelectorAll('b').length - document.querySelectorAll('#host b').length, text: document.body.textContent, title: document.title })",
  );
  await page.screenshot(join(SHOTS, 'hostile-text.png'), { element: '#findings' });
  await page.send('Page.close');
  assert.equal(seen.pwned, undefined);
  assert.equal(seen.imgs, 0);
  assert.equal(seen.bold, 0);
  assert.ok(seen.text.includes(HOSTILE_IF), 'the interface name reads as it is');
  assert.ok(seen.text.includes('auth_pass "<script>"'), 'the auth string reads as it is');
  assert.ok(seen.text.includes('auth_pass "<b>x</b>"'));
  assert.ok(dom.findings.some((f) => f.code === 'auth-mismatch'));

  const mdit = new MarkdownIt({ html: true, linkify: true });
  const all = mdit.parse(r.stdout, {}).flatMap((t) => [t, ...(t.children ?? [])]);
  assert.deepEqual(all.filter((t) => /^html_|^link_open$|^image$/.test(t.type)).map((t) => t.content || t.type), []);
  // A | in wire text does not split a table cell: every history row keeps its five columns.
  const tokens = mdit.parse(r.stdout, {});
  const rows = tokens.map((t, i) => (t.type === 'tr_open' ? tokens.slice(i, tokens.findIndex((x, j) => j > i && x.type === 'tr_close')).filter((x) => x.type === 'td_open' || x.type === 'th_open').length : -1)).filter((n) => n >= 0);
  assert.ok(rows.length >= 3);
  assert.ok(rows.every((n) => n === 5), JSON.stringify(rows));
  const rendered = mdit.render(r.stdout);
  assert.ok(!/<script|<img|<b>|<a /.test(rendered), rendered);
  assert.ok(rendered.includes('auth_pass &quot;&lt;script&gt;&quot;'), rendered);
  assert.ok(rendered.includes('&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;&lt;b&gt;eth0&lt;/b&gt;[x](javascript:alert(1))|col'), rendered);
});

// ---------------------------------------------------------------------------------------------
// A bundle of two nodes (as --ssh writes it): each node's host evidence under its own name.

const EVIL = '<script>window.pwned=3</script><img src=x onerror="window.pwned=4">[x](javascript:alert(1))';

/** The sync-group-firewall recording as a two-node bundle; node2's DROP rule carries a hostile comment. */
async function twoNodeBundle(dir: string): Promise<void> {
  await labBundle(join(LAB, 'sync-group-firewall'), dir, {
    evidence: true,
    rules: (node, text) => (node === 'node2' ? text.replace('-A INPUT -i eth0 -p vrrp -j DROP', `-A INPUT -i eth0 -p vrrp -m comment --comment "${EVIL.replace(/"/g, '\\"')}" -j DROP`) : text),
    localAddresses: { node1: ['192.168.2.11', '10.1.2.11'], node2: ['192.168.2.12', '10.1.2.12'] },
    clocks: { node1: { offsetNs: 0n, uncertaintyNs: 400_000n }, node2: { offsetNs: 3_000_000n, uncertaintyNs: 1_200_000n } },
  });
}

test('a two-node bundle: the page and the ticket show each node\'s host evidence under its own name, hostile text as text', async () => {
  const dir = join(OUT, 'two-nodes');
  await twoNodeBundle(dir);
  const html = join(OUT, 'two-nodes.html');
  const r = runCli(['-r', dir, '--html', html, '--markdown', '-']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 1);
  const url = pathToFileURL(html).href;
  const page = await browser.open(url);
  const dom = await page.eval<Dom>(DOM_QUERY);
  assertSelfContained(page, url, dom);
  type NodeDom = { node: string; title: string; clock: string; instances: string[]; states: string[]; firewall: string[]; sources: string[]; log: string[] };
  const seen = await page.eval<{ pwned: unknown; imgs: number; clocks: string; nodes: NodeDom[]; logLanes: Record<string, string[]> }>(`({
    pwned: window.pwned,
    clocks: document.querySelector('#timelines #clocks')?.textContent ?? '',
    imgs: document.images.length,
    nodes: [...document.querySelectorAll('#host div.node')].map((n) => ({
      node: n.dataset.node,
      title: n.querySelector('h3').textContent,
      clock: n.querySelector('.clock')?.textContent ?? '',
      instances: [...n.querySelectorAll('h4')].map((h) => h.textContent),
      states: [...n.querySelectorAll('h4 + p')].map((p) => p.textContent),
      firewall: [...n.querySelectorAll('ul.firewall li')].map((l) => l.textContent),
      sources: [...n.querySelectorAll('ul.sources li')].map((l) => l.textContent),
      log: (n.querySelector('pre.log')?.textContent ?? '').split('\\n'),
    })),
    logLanes: Object.fromEntries([...document.querySelectorAll('section.vrid')].map((s) => [s.dataset.vrid, [...s.querySelectorAll('.lane[data-router^="log:"] .mark.log')].map((m) => m.dataset.detail)])),
  })`);
  await page.screenshot(join(SHOTS, 'host-two-nodes.png'), { element: '#host' });
  await page.send('Page.close');
  assert.equal(seen.pwned, undefined);
  assert.equal(seen.imgs, 0);
  assert.deepEqual(seen.nodes.map((n) => n.title), ['node node1', 'node node2']);
  assert.match(seen.clocks, /^Node clocks against the recording machine \(already subtracted\): node1 \+0 µs ± 400 µs, node2 \+3\.0 ms ± 1\.2 ms\. Marks on different nodes closer together/);
  const [n1, n2] = seen.nodes as [NodeDom, NodeDom];
  // Each node's instances, their states and its own firewall's verdict on its peer's adverts.
  assert.deepEqual(n1.instances, ['keepalived instance SERVICE (sync group G1) — node1/eth0/51', 'keepalived instance BACKEND (sync group G1) — node1/eth1/52']);
  assert.deepEqual(n2.instances, ['keepalived instance SERVICE (sync group G1) — node2/eth0/51', 'keepalived instance BACKEND (sync group G1) — node2/eth1/52']);
  assert.deepEqual(n1.states, ['state: MASTER', 'state: MASTER']);
  assert.deepEqual(n2.states, ['state: BACKUP, wants MASTER', 'state: BACKUP']);
  // node2 (backup) never advertised: node1 has no peer's adverts for its firewall to judge, and never its own.
  assert.deepEqual(n1.firewall, []);
  assert.equal(n2.firewall.length, 2);
  assert.equal(n2.firewall[0], `firewall: adverts from 192.168.2.11 on eth0: iptables filter INPUT rule 1 -A INPUT -i eth0 -p vrrp -m comment --comment "${EVIL.replace(/"/g, '\\"')}" -j DROP drops them`);
  assert.match(n2.firewall[1]!, /adverts from 10\.1\.2\.11 on eth1: iptables filter INPUT policy ACCEPT accepts them/);
  // When each piece was taken, and the node's clock.
  for (const n of seen.nodes) {
    assert.ok(n.sources.some((s) => /^keepalived dumps: 6, taken 2026-11-25 21:00:45\.000 – 21:01:09\.000 UTC/.test(s)), n.sources.join('\n'));
    assert.ok(n.sources.some((s) => new RegExp(`^firewall ruleset: ${n.node}'s ruleset in the bundle, as of 2026-11-25 21:01:09`).test(s)), n.sources.join('\n'));
    assert.ok(n.sources.some((s) => /^keepalived configuration: 2 vrrp_instance\(s\)/.test(s)));
  }
  assert.match(n1.clock, /^clock: \+0 µs ± 400 µs against/);
  assert.match(n2.clock, /^clock: \+3\.0 ms ± 1\.2 ms against/);
  // Each node's log lines, and on each node's segments only its own keepalived's log.
  assert.ok(n2.log.filter((l) => /\(SERVICE\) Receive advertisement timeout/.test(l)).length >= 5, n2.log.join('\n'));
  assert.ok(!n1.log.some((l) => /Receive advertisement timeout/.test(l) && /21:00:5/.test(l)), n1.log.join('\n'));
  assert.ok(n1.log.some((l) => /\(SERVICE\) Entering MASTER STATE/.test(l)));
  assert.ok(seen.logLanes['node2/eth0/51']!.filter((l) => /Receive advertisement timeout/.test(l)).length >= 5);
  assert.ok(!seen.logLanes['node1/eth0/51']!.some((l) => /21:00:5\d.*Receive advertisement timeout/.test(l)), seen.logLanes['node1/eth0/51']!.join('\n'));

  // The ticket: the same per node, parsed as GFM, with no HTML or link from the comment.
  const mdit = new MarkdownIt({ html: true, linkify: true });
  const tokens = mdit.parse(r.stdout, {});
  const all = tokens.flatMap((t) => [t, ...(t.children ?? [])]);
  assert.deepEqual(all.filter((t) => /^html_|^link_open$|^image$/.test(t.type)).map((t) => t.content || t.type), []);
  const rendered = mdit.render(r.stdout);
  assert.match(rendered, /<h3>Master history<\/h3>\n<p>Node clocks against the recording machine \(already subtracted\): node1 \+0 µs ± 400 µs, node2 \+3\.0 ms ± 1\.2 ms;/);
  const host = rendered.split('<h3>Host evidence</h3>')[1]!;
  const [, md1, md2] = host.split(/<h4>Node <code>node[12]<\/code><\/h4>/);
  assert.ok(md1 && md2, host);
  assert.match(md1, /node1\/eth0\/51 is keepalived instance <code>SERVICE<\/code> \(sync group <code>G1<\/code>\): MASTER/);
  assert.match(md2, /node2\/eth0\/51 is keepalived instance <code>SERVICE<\/code> \(sync group <code>G1<\/code>\): BACKUP, wants MASTER/);
  assert.match(md2, /firewall: adverts from 192\.168\.2\.11 on eth0: iptables filter INPUT rule 1 <code>-A INPUT -i eth0 -p vrrp -m comment --comment &quot;&lt;script&gt;window\.pwned=3&lt;\/script&gt;&lt;img src=x/);
  assert.match(md1, /clock: \+0 µs ± 400 µs/);
  assert.match(md2, /clock: \+3\.0 ms ± 1\.2 ms/);
  assert.match(md2, /keepalived dumps: 6, taken 2026-11-25 21:00:45\.000 – 21:01:09\.000 UTC/);
  assert.match(md2, /node2’?'?s keepalived log, the last \d+ line\(s\) that matter:[\s\S]*\(SERVICE\) Receive advertisement timeout/);
  assert.ok(!/<script|<img|<a /.test(rendered), rendered);
});
