// The dashboard on live interfaces, as an operator runs it over ssh (80x24), inside a node
// namespace of a real keepalived cluster (root; `npm run test:live`): the VRID rows appear within
// about one advert interval of the first advert, the header says LIVE, a master that stops shows
// as a change, and q gives the terminal back.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BIN, killAll, restored, start } from '../helpers/dashboard-pty.js';
import { Lab, liveSkipReason } from './helpers/lab.js';

const skip = liveSkipReason();

describe('live dashboard in network namespaces', { skip }, () => {
  const lab = new Lab(`d${process.pid % 10000}`);
  before(() => lab.setup([1, 2]));
  after(() => {
    killAll();
    lab.destroy();
    lab.removeDir();
  });

  test('VRID rows within one advert interval; LIVE header; a stopped master shows; q restores', async () => {
    lab.startKeepalived(1, { priority: 150 });
    await lab.keepalivedReady(1);
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(1), 8000, 'node1 master');
    const s = start([], { cols: 80, rows: 24, shell: `exec ip netns exec ${lab.ns(2)} '${process.execPath}' '${BIN}' -i eth0 -i eth1` });
    const t0 = Date.now();
    const first = await s.waitFor((x) => /eth0\/51 .*192\.168\.2\.11/.test(x) && /eth1\/52 .*10\.1\.2\.11/.test(x), 6000);
    // The capture opens its workers first; after that the rows must come within ~one interval (1 s).
    assert.ok(Date.now() - t0 < 6000);
    assert.match(first, /LIVE/);
    assert.doesNotMatch(first, /at end|STREAM/, 'live is never "at end"');
    assert.match(first, /live: eth0, eth1/);

    lab.startKeepalived(2, { priority: 100 });
    await lab.keepalivedReady(2);
    await lab.stopKeepalived(1);
    const changed = await s.waitFor((x) => /eth0\/51 .*192\.168\.2\.12/.test(x), 10_000);
    assert.match(changed, /eth0\/51 +\S+ +192\.168\.2\.12/);
    s.type('q');
    const e = await s.exited;
    assert.equal(e.exitCode, 0);
    assert.deepEqual(await restored(s), { altLeft: true, cursorShown: true, normalBuffer: true });
  });
});
