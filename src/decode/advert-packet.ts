// A VRRP advert as the decoder's hot path makes it. Its time comes as two exact numbers, seconds
// and nanoseconds, and `ts` (the BigInt every other packet carries) is made only when someone asks
// for it: on a dense capture the model runs on the numbers (timeline.ts), and two BigInt operations
// per advert were a tenth of the decoder's work.
//
// A class, so `ts` lives on its prototype: spread it (`{ ...p }`) and `ts` is not copied — build a
// plain packet with `ts` (and without tsSec / tsNsec) instead, as ssh-source.ts does.

import type { Direction } from '../capture/frame.js';
import type { DecodedAdvert } from './advert-cache.js';
import type { IpHeader, L2, Vrrp, VrrpPacket } from './packet.js';

export class AdvertPacket implements VrrpPacket {
  readonly kind = 'vrrp';
  private tsMade: bigint | undefined;

  constructor(
    /** Packet time = tsSec × 10^9 + tsNsec ns (exact; tsNsec may exceed a second in a damaged record). */
    readonly tsSec: number,
    readonly tsNsec: number,
    readonly input: string,
    readonly ifName: string | undefined,
    readonly ifIndex: number | undefined,
    readonly linkIfIndex: number | undefined,
    readonly direction: Direction,
    readonly frame: number,
    readonly caplen: number,
    readonly origlen: number,
    readonly linktype: number,
    readonly l2: L2,
    readonly ip: IpHeader,
    readonly vrrp: Vrrp,
    /** The advert cache's entry whose records these are (a repeat, or the first of its kind), if any. */
    readonly shared: DecodedAdvert | undefined,
    /** The BigInt time when the reader had to make it anyway (pcapng). */
    ts?: bigint,
  ) {
    this.tsMade = ts;
  }

  get ts(): bigint {
    return (this.tsMade ??= BigInt(this.tsSec) * 1_000_000_000n + BigInt(this.tsNsec));
  }
}
