// What keepalived does with an advert it receives (keepalived/vrrp/vrrp.c vrrp_check_packet): which
// adverts an instance takes, which it refuses and counts, and which log lines mean one reached it.

import type { RouterState } from '../model/model-types.js';
import type { KeepalivedInstance } from './keepalived/config.js';
import type { KeepalivedInstanceStatus } from './keepalived/dump-types.js';

/** Whether keepalived's instance `c` would take r's adverts (vrrp.c vrrp_check_packet). */
export function acceptable(r: RouterState, c: KeepalivedInstance): boolean {
  if (r.version !== c.version) return false;
  const want = c.virtualAddresses.map((a) => a.address).sort();
  if (want.length > 0 && JSON.stringify([...r.vips].sort()) !== JSON.stringify(want)) return false;
  if (c.version === 2) {
    if (Math.abs(r.intervalCs - c.advertInt * 100) > 0.5) return false;
    if (c.auth && !c.auth.ignored) {
      if (c.auth.type === 'PASS' && (r.authType !== 1 || (c.auth.pass !== undefined && r.authText !== c.auth.pass))) return false;
      if (c.auth.type === 'AH' && r.authType !== 2) return false;
    } else if (r.authType !== undefined && r.authType !== 0) return false;
  }
  return true;
}

/**
 * The same question of the running keepalived, from its dump (the configuration file may have been
 * edited since it was loaded): version, and for VRRPv2 the interval and virtual addresses.
 * Authentication is left to rejected() (keepalived counts those refusals).
 */
export function acceptableToRunning(r: RouterState, st: KeepalivedInstanceStatus): boolean {
  if (st.version !== undefined && r.version !== st.version) return false;
  if (st.version === 2) {
    if (st.advertInt !== undefined && Math.abs(r.intervalCs - st.advertInt * 100) > 0.5) return false;
    const want = st.vips.map((x) => x.split(/[\s/]/)[0] ?? '').filter((a) => a !== '').sort();
    if (want.length > 0 && JSON.stringify([...r.vips].sort()) !== JSON.stringify(want)) return false;
  }
  return true;
}

/** Log events that mean an advert reached keepalived. */
export const RECEIVED_KINDS = new Set<string>(['lower-priority', 'higher-priority', 'priority-zero', 'auth-error', 'interval-mismatch', 'ttl-error', 'address-list-mismatch']);

/**
 * Adverts keepalived received and then refused (authentication, address list, TTL, length, type,
 * interval): they reached the daemon, so no firewall dropped them — the mismatch findings say why.
 * (keepalived does not count those in advert_rcvd, and its advert_interval_err may stay 0.)
 */
export function rejected(st: KeepalivedInstanceStatus): number {
  const c = st.stats;
  return [c.authFailure, c.authtypeMismatch, c.invalidAuthtype, c.addrListErr, c.ipTtlErr, c.packetLenErr, c.invalidTypeRcvd, c.advertIntervalErr].reduce<number>((a, b) => a + (b ?? 0), 0);
}
