// adverts-dropped-on-host from every kind of host evidence, on the lab's real keepalived 2.2.7
// recordings: dumps without a time (never dated by mtime), one dump only (advert_rcvd counts since
// keepalived started: a firewall there before it started), the log alone ("Receive advertisement
// timeout" while the master's adverts arrive), and the firewall verdict for nftables, ip6tables and
// unicast VRRP from real rulesets (tests/fixtures/firewall/generate.sh). Never on a node that does
// not drop VRRP.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import { AdvertLedger } from '../src/host/advert-ledger.js';
import { advertQuery } from '../src/host/correlate.js';
import { evaluateVrrpInput } from '../src/host/firewall/index.js';
import { loadBundle, type OfflineBundle } from '../src/host/host-evidence.js';
import { segmentOf } from '../src/model/segment.js';
import { readInputs } from '../src/capture/read-inputs.js';
import { Timeline } from '../src/model/timeline.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const LAB = join(FIX, 'lab');
const FW = join(FIX, 'firewall');

const dumpsOf = (dir: string, node: string): string[] => readdirSync(join(LAB, dir)).filter((f) => f.startsWith(`${node}-json-`)).sort();
const timed = (dir: string, node: string, f: string): string => `${join(LAB, dir, f)}@${f.slice(`${node}-json-`.length, -'.json'.length)}`;
const rules = (dir: string, node: string): string[] => [`${node}.iptables-save`, `${node}.ip6tables-save`, `${node}.nft.json`].map((f) => join(LAB, dir, f)).filter((f) => existsSync(f));

async function run(dir: string, node: string, b: OfflineBundle) {
  const host = loadBundle(b);
  assert.deepEqual(host.problems, []);
  const d = join(LAB, dir);
  const a = await analyzeCaptures(
    [
      { label: 'eth0', path: join(d, `${node}-eth0.pcap`) },
      { label: 'eth1', path: join(d, `${node}-eth1.pcap`) },
    ],
    { warn: (m) => assert.fail(m), host },
  );
  return { ...a, host };
}

/** The node drops VRRP on input, as the recording's manifest says (any tool, any rule) or its iptables-save shows. */
const drops = (dir: string, node: string): boolean => {
  const m = JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as { expectDetail?: { firewallDropsOn?: Record<string, string[]> }; diagnosis?: { causes?: { code: string; bundleCode?: string; culprit?: { node?: string } | null }[] } };
  if (m.expectDetail?.firewallDropsOn?.[node]) return true;
  if (m.diagnosis?.causes?.some((c) => (c.code === 'adverts-dropped-on-host' || c.bundleCode === 'adverts-dropped-on-host') && c.culprit?.node === node)) return true;
  return existsSync(join(LAB, dir, `${node}.iptables-save`)) && /-A INPUT -i eth0 -p vrrp -j DROP/.test(readFileSync(join(LAB, dir, `${node}.iptables-save`), 'utf8'));
};

test('dumps without @TIME are dated by keepalived\'s "Printing VRRP as json" log lines, and the drop is still found', async () => {
  const dir = 'sync-group-firewall';
  const { findings, host } = await run(dir, 'node2', { conf: join(LAB, dir, 'node2.conf'), json: dumpsOf(dir, 'node2').map((f) => join(LAB, dir, f)), log: join(LAB, dir, 'node2.log'), firewall: rules(dir, 'node2') });
  assert.deepEqual(host.dumps.map((d) => d.timeSource), ['log', 'log', 'log', 'log', 'log', 'log']);
  // The file names carry the time the lab took each dump: the log's second agrees to within 1 s.
  for (const d of host.dumps) {
    const named = BigInt(/node2-json-(\d+)\.json$/.exec(d.source)![1]!) * 1_000_000_000n;
    assert.ok(d.ts - named <= 1_000_000_000n && named - d.ts <= 1_000_000_000n, `${d.source}: ${d.ts}`);
  }
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
  assert.equal(f.kind, 'cause');
  assert.match(f.message, /^adverts from peer 192\.168\.2\.11 reach eth0 on node2 but keepalived never gets them \(0 of \d+ counted\): this host's firewall drops them — iptables filter INPUT rule 1 `-A INPUT -i eth0 -p vrrp -j DROP`$/);
  const notes = findings.filter((x) => x.code === 'dump-time');
  assert.equal(notes.length, 1, 'one line for all of them');
  assert.equal(notes[0]!.severity, 'info');
  assert.equal(notes[0]!.message, "6 keepalived dumps were given without a time (FILE@TIME): dated by keepalived's log, never by their files' mtime");
  assert.equal(notes[0]!.evidence.length, 6);
  assert.ok(notes[0]!.evidence.every((e) => /is dated 2026-11-25 21:0\d:\d\d UTC by keepalived's log line "Printing VRRP as json for process\(10879\) on signal"/.test(e)), notes[0]!.evidence.join('\n'));
});

test('a dump without @TIME and no log is taken to be from the end of the capture — never its file\'s mtime — and says so', async () => {
  const dir = 'sync-group-firewall';
  const tmp = mkdtempSync(join(tmpdir(), 'vsh-dump-'));
  try {
    const last = dumpsOf(dir, 'node2').pop()!;
    const copy = join(tmp, 'keepalived.json');
    copyFileSync(join(LAB, dir, last), copy);
    utimesSync(copy, new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    const { findings, host, timeline } = await run(dir, 'node2', { conf: join(LAB, dir, 'node2.conf'), json: [copy], firewall: rules(dir, 'node2') });
    assert.equal(host.dumps.length, 1);
    assert.equal(host.dumps[0]!.timeSource, 'capture-end');
    assert.equal(host.dumps[0]!.ts, timeline.now);
    const note = findings.find((x) => x.code === 'dump-time');
    assert.match(note?.message ?? '', /keepalived\.json has no time: taken to be from the end of the capture \(2026-11-25 21:01:\d\d UTC\); give FILE@TIME to be exact/);
    // Dated only that loosely, the total counted since start is conclusive only when it is zero: it is.
    const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
    assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
    assert.match(f.message, /reach eth0 on node2 but keepalived never gets them \(0 of \d+ counted\)/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a dump whose last transition is after the capture ended is dated by that transition', async () => {
  const dir = 'healthy';
  const last = dumpsOf(dir, 'node2').pop()!;
  const text = readFileSync(join(LAB, dir, last), 'utf8').replace(/"last_transition":\s*[\d.]+/, '"last_transition": 1895640000.5');
  const tmp = mkdtempSync(join(tmpdir(), 'vsh-dump-'));
  try {
    const f = join(tmp, 'late.json');
    // The same real dump, with one instance's transition moved a few years on.
    await import('node:fs').then((fs) => fs.writeFileSync(f, text));
    const { host, findings } = await run(dir, 'node2', { json: [f] });
    assert.equal(host.dumps[0]!.timeSource, 'dump');
    assert.equal(host.dumps[0]!.ts, 1895640000500000000n);
    assert.match(findings.find((x) => x.code === 'dump-time')?.message ?? '', /late\.json has no time: dated 2030-01-26 \d\d:\d\d:\d\d UTC, its latest transition/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the firewall was there before keepalived started: ONE dump is enough (advert_rcvd counts since start)', async () => {
  const dir = 'sync-group-firewall';
  const last = dumpsOf(dir, 'node2').pop()!;
  const { findings } = await run(dir, 'node2', { conf: join(LAB, dir, 'node2.conf'), json: [timed(dir, 'node2', last)], firewall: rules(dir, 'node2') });
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
  assert.equal(f.severity, 'critical');
  assert.match(f.message, /adverts from peer 192\.168\.2\.11 reach eth0 on node2 but keepalived never gets them \(0 of 2\d counted\): this host's firewall drops them — iptables filter INPUT rule 1/);
  assert.ok(f.evidence.some((e) => /counted 0 received \(or refused\) in all, since keepalived started \(advert_rcvd counts from its start\)/.test(e)), f.evidence.join('\n'));
});

for (const [mode, bundleOf] of [
  ['only its last dump', (dir: string, node: string) => ({ conf: join(LAB, dir, `${node}.conf`), json: dumpsOf(dir, node).slice(-1).map((f) => timed(dir, node, f)), log: join(LAB, dir, `${node}.log`), firewall: rules(dir, node) })],
  ['its dumps without times', (dir: string, node: string) => ({ conf: join(LAB, dir, `${node}.conf`), json: dumpsOf(dir, node).map((f) => join(LAB, dir, f)), log: join(LAB, dir, `${node}.log`), firewall: rules(dir, node) })],
  ['its log alone (no dump)', (dir: string, node: string) => ({ conf: join(LAB, dir, `${node}.conf`), log: join(LAB, dir, `${node}.log`), firewall: rules(dir, node) })],
] as const) {
  test(`every lab recording × both nodes, with ${mode}: adverts-dropped-on-host only where that node drops VRRP, naming its peer`, async () => {
    const fired: string[] = [];
    for (const dir of readdirSync(LAB).sort()) {
      for (const node of ['node1', 'node2']) {
        if (!existsSync(join(LAB, dir, `${node}-eth0.pcap`))) continue;
        const { findings, host } = await run(dir, node, bundleOf(dir, node));
        const hit = findings.filter((f) => f.code === 'adverts-dropped-on-host');
        if (hit.length === 0) continue;
        fired.push(`${dir}/${node}`);
        assert.ok(drops(dir, node), `${dir}/${node}: no DROP rule, yet ${hit[0]!.message}`);
        for (const f of hit) {
          assert.equal(f.segment, 'eth0');
          assert.equal(f.kind, 'cause');
          // The deciding rule, as the tool that made it shows it (iptables, ip6tables or nft).
          assert.match(f.message, /— (iptables filter INPUT rule \d+ `-A INPUT -i eth0 -p vrrp -j DROP`|ip6tables filter INPUT rule \d+ `-A INPUT -i eth0 -p (vrrp|112) -j DROP`|iptables filter INPUT rule \d+ `-A INPUT -s 192\.168\.2\.1\d\/32 -p vrrp -j DROP`|nftables inet filter input rule \d+ .*`[^`]*vrrp[^`]*drop`)$|the ruleset given accepts VRRP on eth0 now \(a rule that dropped them then is gone/);
          const own = [...host.localAddresses];
          for (const a of own) assert.ok(!f.message.includes(`peer ${a} `), `${dir}/${node} names itself (${a}) as the peer: ${f.message}`);
        }
      }
    }
    const must: Record<string, string[]> = {
      'only its last dump': ['sync-group-firewall/node2', 'sync-group-firewall-v2/node1', 'firewall-eth0-both/node1', 'firewall-eth0-both/node2'],
      'its dumps without times': ['sync-group-firewall/node2', 'sync-group-firewall-v2/node1', 'firewall-eth0-both/node1', 'firewall-eth0-both/node2', 'firewall-eth0-both-v2/node1', 'firewall-eth0-both-v2/node2'],
      'its log alone (no dump)': ['sync-group-firewall/node2', 'sync-group-firewall-v2/node1', 'firewall-eth0-one/node2', 'firewall-eth0-one-v2/node2', 'firewall-eth0-both/node2'],
    };
    for (const m of must[mode]!) assert.ok(fired.includes(m), `${m} not caught; fired: ${fired.join(', ')}`);
  });
}

test('the log alone: the timeouts are the evidence, said in plain words; no counters were given', async () => {
  const dir = 'sync-group-firewall';
  const { findings } = await run(dir, 'node2', { conf: join(LAB, dir, 'node2.conf'), log: join(LAB, dir, 'node2.log'), firewall: rules(dir, 'node2') });
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f);
  assert.match(f.message, /^adverts from peer 192\.168\.2\.11 (reach eth0 on node2|are on the wire of eth0 \(as captured\)) but keepalived never gets them \(6 advertisement timeout\(s\) logged while they arrived on time\): this host's firewall drops them — iptables filter INPUT rule 1 `-A INPUT -i eth0 -p vrrp -j DROP`$/);
  assert.ok(f.evidence.some((e) => /^21:00:48: keepalived SERVICE logged "Receive advertisement timeout", yet the wire on eth0 carried \d advert\(s\) from 192\.168\.2\.11/.test(e)), f.evidence.join('\n'));
  assert.ok(f.evidence.some((e) => /no keepalived counter dump for SERVICE was given/.test(e)));
});

test('the log alone on healthy recordings, failovers and preemptions (keepalived logs what it discards): no finding', async () => {
  for (const dir of ['healthy', 'healthy-v2', 'failover-failback', 'failover-failback-v2', 'priority-track', 'priority-track-v2', 'auth-mismatch', 'interval-mismatch', 'vrid-conflict', 'vrrpv3-ipv6', 'vrrpv3-ipv6-v2', 'unicast-peers', 'lossy-eth0', 'no-master']) {
    for (const node of ['node1', 'node2']) {
      if (!existsSync(join(LAB, dir, `${node}-eth0.pcap`))) continue;
      const { findings } = await run(dir, node, { conf: join(LAB, dir, `${node}.conf`), log: join(LAB, dir, `${node}.log`) });
      assert.deepEqual(findings.filter((f) => f.code === 'adverts-dropped-on-host').map((f) => f.message), [], `${dir}/${node}`);
    }
  }
});

/** The lab capture read into a timeline and ledger, as analyzeCaptures does. */
async function wire(dir: string, node: string) {
  const t = new Timeline();
  const ledger = new AdvertLedger();
  await readInputs([{ label: 'eth0', path: join(LAB, dir, `${node}-eth0.pcap`) }], (p) => {
    const s = segmentOf(p, true);
    ledger.add(p, s);
    t.apply({ kind: 'packet', segment: s, packet: p });
  }, () => undefined);
  return { t, ledger };
}

const read = (f: string): string => readFileSync(join(FW, f), 'utf8');

test('unicast VRRP: the question carries the destination, so a destination rule decides (iptables rule 3, not rule 1)', async () => {
  const { t, ledger } = await wire('unicast-peers', 'node2');
  const v = [...t.vrids.values()].find((x) => x.vrid === 51)!;
  const q = advertQuery(ledger, v, '192.168.2.11', 'eth0');
  assert.deepEqual(q, { src: '192.168.2.11', iface: 'eth0', dst: '192.168.2.12' });
  const e = evaluateVrrpInput({ iptablesSave: read('unicast-vrrp.iptables-save') }, q).overall;
  assert.equal(e.verdict, 'drop');
  assert.equal(e.decidedBy.ruleNumber, 3);
  assert.ok(e.reasons.some((r) => /rule 1 `-A INPUT -d 224\.0\.0\.18\/32 -i eth0 -p vrrp -j ACCEPT` would accept VRRP, but not this advert: destination 192\.168\.2\.12/.test(r)), e.reasons.join('\n'));
  assert.equal(e.fix.iptables, 'iptables -I INPUT 3 -i eth0 -p vrrp -j ACCEPT');
  // A source rule: the third cluster member 192.168.2.13 is dropped by -s even to multicast.
  const s = evaluateVrrpInput({ iptablesSave: read('unicast-vrrp.iptables-save') }, { src: '192.168.2.13', iface: 'eth0', dst: '192.168.2.12' }).overall;
  assert.equal(s.decidedBy.ruleText, '-A INPUT -s 192.168.2.13/32 -p vrrp -j DROP');
});

test('VRRPv3 over IPv6: the link-local source asks ip6tables, whose rule 3 drops it; iptables accepting IPv4 does not matter', async () => {
  const { t, ledger } = await wire('vrrpv3-ipv6', 'node2');
  const v = [...t.vrids.values()].find((x) => x.family === 6)!;
  const peer = [...v.routers.keys()].find((a) => a.startsWith('fe80::') && a !== 'fe80::ff:fe01:200')!;
  const q = advertQuery(ledger, v, peer, 'eth0');
  assert.deepEqual(q, { src: peer, iface: 'eth0' });
  const e = evaluateVrrpInput({ iptablesSave: read('ip6-vrrp-drop.iptables-save'), ip6tablesSave: read('ip6-vrrp-drop.ip6tables-save') }, q).overall;
  assert.equal(e.verdict, 'drop');
  assert.deepEqual([e.decidedBy.tool, e.decidedBy.chain, e.decidedBy.ruleNumber, e.decidedBy.ruleText], ['ip6tables', 'INPUT', 3, '-A INPUT -i eth0 -p vrrp -j DROP']);
  assert.match(e.fix.iptables, /^ip6tables -I INPUT 3 -i eth0 -p vrrp -j ACCEPT$/);
});

test('nftables: every input base chain of the ip, ip6 and inet tables, by priority; the one that drops is named', () => {
  const nftJson = read('nft-families.nft.json');
  const v4 = evaluateVrrpInput({ nftJson }, { src: '192.168.2.11', iface: 'eth0' }).overall;
  assert.equal(v4.verdict, 'drop');
  assert.deepEqual([v4.decidedBy.table, v4.decidedBy.chain], ['inet late', 'input']);
  assert.ok(v4.reasons.some((r) => /ip filter input \(input, priority 0\): accepts/.test(r)), v4.reasons.join('\n'));
  assert.ok(v4.reasons.some((r) => /an accept in an earlier chain ends only that chain/.test(r)));
  assert.match(v4.fix.nftables, /^nft insert rule inet late input position \d+ iifname "eth0" meta l4proto vrrp accept$/);
  const v6 = evaluateVrrpInput({ nftJson }, { src: 'fe80::ff:fe01:100', iface: 'eth0' }).overall;
  assert.deepEqual([v6.verdict, v6.decidedBy.table], ['drop', 'ip6 filter6'], 'priority -10 comes first, and only IPv6 sees it');
  assert.equal(evaluateVrrpInput({ nftJson }, { src: '192.168.2.12', iface: 'eth0' }).overall.verdict, 'accept', 'the other peer passes every chain');
  // iptables-save from the same host cannot show the nft-native ip filter table; nft's JSON judges it.
  const both = evaluateVrrpInput({ nftJson, iptablesSave: read('nft-families.iptables-save') }, { src: '192.168.2.11', iface: 'eth0' }).overall;
  assert.equal(both.decidedBy.table, 'inet late');
  assert.ok(both.reasons.some((r) => /hold native nft chains that iptables-save cannot show/.test(r)), both.reasons.join('\n'));
  const alone = evaluateVrrpInput({ iptablesSave: read('nft-families.iptables-save') }, { src: '192.168.2.11', iface: 'eth0' }).overall;
  assert.equal(alone.confidence, 'uncertain', 'iptables-save alone hides those chains');
});

test('the finding names an nftables rule by table, chain and handle when nft decides', async () => {
  const dir = 'sync-group-firewall';
  const { findings } = await run(dir, 'node2', { conf: join(LAB, dir, 'node2.conf'), log: join(LAB, dir, 'node2.log'), firewall: [join(FW, 'nft-families.nft.json')] });
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f);
  assert.match(f.message, /this host's firewall drops them — nftables inet late input rule 1 \(handle \d+\) `iifname eth0 ip saddr 192\.168\.2\.11 meta l4proto vrrp counter drop`$/);
  assert.match(f.advice[0] ?? '', /^nftables: nft insert rule inet late input position \d+ iifname "eth0" meta l4proto vrrp accept$/);
});

/** keepalived's console log with every time moved by `s` seconds (a host clock off, or another zone). */
function shiftLog(text: string, s: number): string {
  return text.replace(/^\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4}):/gm, (_m, mon: string, d: string, hh: string, mm: string, ss: string, y: string) => {
    const t = new Date(`${mon} ${d} ${y} ${hh}:${mm}:${ss} UTC`).getTime() + s * 1000;
    const x = new Date(t);
    const p2 = (n: number): string => String(n).padStart(2, '0');
    return `${x.toUTCString().slice(0, 3)} ${x.toUTCString().slice(8, 11)} ${String(x.getUTCDate()).padStart(2, ' ')} ${p2(x.getUTCHours())}:${p2(x.getUTCMinutes())}:${p2(x.getUTCSeconds())} ${x.getUTCFullYear()}:`;
  });
}

test('the log alone, with its clock off by seconds or hours: never a drop on a node that does not drop', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vsh-log-'));
  try {
    for (const dir of readdirSync(LAB).sort()) {
      for (const node of ['node1', 'node2']) {
        if (!existsSync(join(LAB, dir, `${node}-eth0.pcap`)) || drops(dir, node)) continue;
        const text = readFileSync(join(LAB, dir, `${node}.log`), 'utf8');
        assert.equal(shiftLog(text, 0), text, 'the shift keeps the format');
        for (const s of [-4, -3, -2, 2, 3, 4, 3600]) {
          const f = join(tmp, `${dir}-${node}-${s}.log`);
          (await import('node:fs')).writeFileSync(f, shiftLog(text, s));
          const { findings } = await run(dir, node, { conf: join(LAB, dir, `${node}.conf`), log: f });
          assert.deepEqual(findings.filter((x) => x.code === 'adverts-dropped-on-host').map((x) => x.message), [], `${dir}/${node} log shifted ${s} s`);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// Two tiny real runs recorded by tests/fixtures/host/record-lab.sh (keepalived 2.2.7 in vsh-rec-*).
const REC = join(FIX, 'host');
async function rec(dir: string, node: string, withDumps = true) {
  const d = join(REC, dir);
  const json = withDumps ? readdirSync(d).filter((f) => f.startsWith(`${node}-json-`)).sort().map((f) => `${join(d, f)}@${f.slice(`${node}-json-`.length, -'.json'.length)}`) : [];
  const host = loadBundle({ conf: join(d, `${node}.conf`), json, log: join(d, `${node}.log`), firewall: [join(d, `${node}.iptables-save`)] });
  assert.deepEqual(host.problems, []);
  return analyzeCaptures([{ label: 'eth0', path: join(d, `${node}-eth0.pcap`) }], { warn: (m) => assert.fail(m), host });
}

test('a split brain that healed when the rules were deleted: the drop is told in the past tense, a warning, on both nodes', async () => {
  // Without dumps only node2 has evidence: node1 started first and never timed out while its peer
  // advertised (it was master all along), so its log alone says nothing — and nothing is claimed.
  const { findings: quiet } = await rec('heal', 'node1', false);
  assert.deepEqual(quiet.filter((x) => x.code === 'adverts-dropped-on-host'), []);
  for (const [node, peer, withDumps] of [['node1', '192.168.2.12', true], ['node2', '192.168.2.11', true], ['node2', '192.168.2.11', false]] as const) {
    {
      const { findings } = await rec('heal', node, withDumps);
      const f = findings.filter((x) => x.code === 'adverts-dropped-on-host');
      assert.equal(f.length, 1, `${node} ${withDumps}: ${JSON.stringify(findings.map((x) => x.code))}`);
      assert.equal(f[0]!.severity, 'warning');
      assert.equal(f[0]!.kind, 'cause');
      assert.match(f[0]!.message, new RegExp(`^adverts from peer ${peer.replace(/\./g, '\\.')} reached eth0 on ${node} from \\d\\d:\\d\\d:\\d\\d to \\d\\d:\\d\\d:\\d\\d but keepalived did not get them \\(.*\\); (since \\d\\d:\\d\\d:\\d\\d it gets them again|${peer.replace(/\./g, '\\.')} has been quiet since \\d\\d:\\d\\d:\\d\\d \\(it yielded, or stopped\\)); the ruleset given accepts VRRP on eth0 now`), `${node} ${withDumps}`);
      assert.ok(!f[0]!.advice.some((a) => /iptables -I/.test(a)), 'nothing to paste: the rule is gone');
    }
  }
});

test('VRRPv2 against VRRPv3 on one VRID: keepalived ignores the other version on purpose — never adverts-dropped-on-host', async () => {
  for (const node of ['node1', 'node2']) {
    for (const withDumps of [true, false]) {
      const { findings } = await rec('version', node, withDumps);
      assert.deepEqual(findings.filter((x) => x.code === 'adverts-dropped-on-host').map((x) => x.message), [], `${node} ${withDumps}`);
    }
  }
});

test('an interface name that is not one (a broken configuration) never reaches a command to paste', () => {
  const e = evaluateVrrpInput({ iptablesSave: '*filter\n:INPUT DROP [0:0]\nCOMMIT\n' }, { src: '192.168.2.11', iface: 'eth0;reboot' }).overall;
  assert.equal(e.verdict, 'drop');
  for (const cmd of Object.values(e.fix)) assert.ok(!cmd.includes('reboot'), cmd);
  assert.equal(e.fix.iptables, 'iptables -I INPUT -i <interface> -p vrrp -j ACCEPT');
  assert.equal(e.fix.nftables, 'nft insert rule inet filter input iifname <interface> meta l4proto vrrp accept');
});
