// `vrrpscope -r FILE --packets` on a few corpus captures, compared with the expected text in
// tests/golden/<capture>.packets.txt. To regenerate after a deliberate change of the output:
//
//   npx tsc -p . && UPDATE_GOLDEN=1 node --test dist/tests/packets-golden.test.js
//
// then review the diff (git diff tests/golden). Each golden file is also checked against tcpdump's
// decoding of the same capture (`<capture>.tcpdump.txt` in the corpus): the same packets, in the
// same order, at the same times, with the same VRID/priority/addresses, ARP sender and NA target.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { corpusOrSkip, corpusPath, REPO_ROOT } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

const FILES = ['tcpdump-vrrp-mikrotik.pcap', 'ndpi-vrrp3-ipv6-vlan.pcapng', 'zeek-linux-sll2-arp.pcap', 'zeek-dot1q-garp.pcap', 'zeek-icmp6-nd-unsolicited-na.pcap'];
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** tcpdump -e -vvv records (continuation lines joined) that show VRRP, ARP/RARP or a neighbour advert. */
function tcpdumpRecords(text: string): string[] {
  const recs: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\d\d:\d\d:\d\d\.\d{6} /.test(line)) recs.push(line);
    else if (/^\s/.test(line) && recs.length > 0) recs[recs.length - 1] += ' ' + line.trim();
  }
  return recs.filter((r) => /VRRPv\d|ethertype (Reverse )?ARP|neighbor advertisement/.test(r));
}

/** "1s", "1.5s", "50ms" → centiseconds. */
function centiseconds(t: string): number {
  return t.endsWith('ms') ? Number(t.slice(0, -2)) / 10 : Math.round(Number(t.slice(0, -1)) * 100);
}

function crossCheck(file: string, lines: string[]): void {
  const recs = tcpdumpRecords(readFileSync(corpusPath(file) + '.tcpdump.txt', 'utf8'));
  assert.equal(lines.length, recs.length, `${file}: tcpdump shows ${recs.length} packets of interest, we ${lines.length}`);
  lines.forEach((l, i) => {
    const r = recs[i]!;
    const where = `${file} packet ${i + 1}:\n  ours:    ${l}\n  tcpdump: ${r}`;
    assert.equal(l.split(' ')[1], r.split(' ')[0], `${where}\n  time of day`);
    let m: RegExpMatchArray | null;
    if ((m = l.match(/ (\S+) > (\S+): VRRPv(\d) vrid (\d+) prio (\d+) intvl (\d+(?:\.\d+)?(?:ms|s))(?: auth (\w+)(?: "([^"]*)")?)? addrs\((\d+)\): (\S+)/))) {
      const [, src, dst, ver, vrid, prio, intvl, auth, text, count, addrs] = m;
      assert.ok(r.includes(`${src} > ${dst}: VRRPv${ver}, Advertisement, vrid ${vrid}, prio ${prio}, `), `${where}\n  addresses, version, vrid, prio`);
      // Ours is in the units of the report and the dashboard (1s, 50ms); tcpdump's in the wire's (1s, 1000cs).
      const tcpdumpIntvl = /intvl (\d+)(s|cs)/.exec(r);
      assert.ok(tcpdumpIntvl, `${where}\n  tcpdump interval`);
      assert.equal(centiseconds(intvl!), Number(tcpdumpIntvl[1]) * (tcpdumpIntvl[2] === 's' ? 100 : 1), `${where}\n  interval`);
      if (auth) assert.ok(r.includes(`authtype ${auth}`), `${where}\n  auth type`);
      if (text !== undefined) assert.ok(r.includes(`auth "${text}"`), `${where}\n  auth text`);
      assert.ok(r.includes(Number(count) === 1 ? `addrs: ${addrs}` : `addrs(${count}): ${addrs}`), `${where}\n  virtual addresses`);
    } else if ((m = l.match(/ (\S+) > \S+: (?:gratuitous ARP(?: announcement| reply)? (\S+) is-at (\S+)|ARP request who-has (\S+) tell (\S+)|ARP reply (\S+) is-at (\S+)|RARP request who-is (\S+) tell (\S+))$/))) {
      const [, , gSpa, gSha, qTpa, qSpa, rSpa, rSha, , rarpSha] = m;
      if (rarpSha !== undefined) assert.ok(r.includes('Reverse Request who-is') && r.includes(`tell ${rarpSha}`), `${where}\n  RARP sender`);
      else if (qTpa !== undefined) assert.ok(r.includes(`Request who-has ${qTpa} tell ${qSpa}`), `${where}\n  ARP request addresses`);
      else if (rSpa !== undefined) assert.ok(r.includes(`Reply ${rSpa} is-at ${rSha}`), `${where}\n  ARP reply addresses`);
      else assert.ok(r.includes(`Reply ${gSpa} is-at ${gSha}`) || r.includes(`Request who-has ${gSpa} tell ${gSpa}`), `${where}\n  gratuitous ARP addresses`);
    } else if ((m = l.match(/ (\S+) > (\S+): (?:unsolicited )?neighbor advert tgt (\S+) is-at (\S+) flags (\S+)/))) {
      const [, src, dst, tgt, ll, flags] = m;
      assert.ok(r.includes(`${src} > ${dst}: `) && r.includes(`tgt is ${tgt}`), `${where}\n  NA addresses`);
      assert.ok(r.toLowerCase().includes(ll!), `${where}\n  target link-layer address`);
      assert.equal(r.includes('Flags [router'), flags!.includes('R'), `${where}\n  R flag`);
      assert.equal(/Flags \[[^\]]*solicited/.test(r), flags!.includes('S'), `${where}\n  S flag`);
      assert.equal(/Flags \[[^\]]*override/.test(r), flags!.includes('O'), `${where}\n  O flag`);
    } else assert.fail(`${where}\n  a line the cross-check does not know`);
  });
}

for (const file of FILES) {
  test(`--packets golden: ${file}`, (t) => {
    if (!corpusOrSkip(t)) return;
    const golden = `${REPO_ROOT}tests/golden/${basename(file)}.packets.txt`;
    const r = runCli(['-r', corpusPath(file), '--packets']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    // The segment is the file name (no if_name in the file), or the pcapng interface name.
    const out = r.stdout;
    if (UPDATE) writeFileSync(golden, out);
    assert.ok(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 to create it`);
    assert.equal(out, readFileSync(golden, 'utf8'), `--packets output differs from ${golden} (UPDATE_GOLDEN=1 to regenerate, then review the diff)`);
    crossCheck(file, out.trimEnd().split('\n'));
  });
}
