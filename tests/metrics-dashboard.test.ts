// --metrics beside the dashboard: the real bin/vrrpscope under a pseudo-terminal draws the
// dashboard while /metrics serves the same model; quitting the dashboard stops the exporter.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { killAll, ROOT, start } from './helpers/dashboard-pty.js';

describe('--metrics with the dashboard', () => {
  after(killAll);

  it('serves the model the dashboard shows, and stops when the dashboard is quit', async () => {
    const s = start(['-r', `${ROOT}tests/fixtures/lab/firewall-eth0-both/node2.pcapng`, '--metrics', '127.0.0.1:0', '--dashboard'], { cols: 120, rows: 40 });
    const port = await new Promise<number>((resolve, reject) => {
      const end = Date.now() + 15_000;
      const look = (): void => {
        const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(s.raw());
        if (m) return resolve(Number(m[1]));
        if (Date.now() > end) return reject(new Error(`no 'metrics on' line: ${JSON.stringify(s.raw().slice(0, 500))}`));
        setTimeout(look, 100);
      };
      look();
    });
    await s.waitFor(/SPLIT-BRAIN/, 15_000);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(body, /^vrrpscope_vrid_masters\{segment="eth0",intf="eth0",vrid="51",family="4",part="",iname=""\} 2$/m);
    assert.match(body, /^vrrpscope_vrid_split_brain\{segment="eth0",intf="eth0",vrid="51",family="4",part="",iname=""\} 1$/m);
    assert.match(body, /^vrrpscope_capture_up\{input="node2\.pcapng"\} 0$/m);
    s.type('q');
    await s.exited;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
  });
});
