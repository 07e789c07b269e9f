// contrib/systemd/vrrpscope.service under systemd's own checks: `systemd-analyze verify` (no
// warning at all: unknown keys are only warnings) and `systemd-analyze security --offline` with an
// exposure threshold. verify wants ExecStart to exist, so the copy checked points at bin/vrrpscope.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/corpus.js';
import { requireBinary } from './helpers/prometheus.js';

const UNIT = `${REPO_ROOT}contrib/systemd/vrrpscope.service`;
/** systemd-analyze's exposure × 10 (2.3 today; 'OK' ends at 3.9). */
const MAX_EXPOSURE = 30;

describe('systemd unit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsm-unit-'));
  const unit = join(dir, 'vrrpscope.service');
  const text = readFileSync(UNIT, 'utf8');
  writeFileSync(unit, text.replace(/\/usr\/bin\/vrrpscope/g, `${REPO_ROOT}bin/vrrpscope`));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('systemd-analyze verify: no error, no warning', () => {
    requireBinary('systemd-analyze');
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', r.stderr);
  });

  it('systemd-analyze verify does complain about a broken unit (the check is live)', () => {
    const bad = join(dir, 'broken.service');
    writeFileSync(bad, readFileSync(unit, 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivileges=yes\nAmbientCapabilitys=CAP_SYS_ADMIN'));
    const r = spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' });
    assert.match(r.stderr, /Unknown key/);
  });

  it(`systemd-analyze security: exposure at most ${MAX_EXPOSURE / 10}`, () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${MAX_EXPOSURE}`, '--no-pager', unit], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout.split('\n').slice(-3).join('\n') + r.stderr);
    assert.match(r.stdout, /Overall exposure level for vrrpscope\.service: [0-2]\.\d/);
  });

  it('least privilege: a dynamic user, only CAP_NET_RAW and CAP_NET_ADMIN, read-only system, loopback metrics', () => {
    const v = (k: string): string[] => [...text.matchAll(new RegExp(`^${k}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
    assert.deepEqual(v('DynamicUser'), ['yes']);
    assert.deepEqual(v('AmbientCapabilities'), ['CAP_NET_RAW CAP_NET_ADMIN']);
    assert.deepEqual(v('CapabilityBoundingSet'), ['CAP_NET_RAW CAP_NET_ADMIN']);
    assert.deepEqual(v('ProtectSystem'), ['strict']);
    assert.deepEqual(v('NoNewPrivileges'), ['yes']);
    assert.match(v('ExecStart')[0]!, /--metrics 127\.0\.0\.1:9688/);
  });
});
