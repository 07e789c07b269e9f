#!/usr/bin/env python3
"""A one-VLAN 802.1Q trunk for the recording lab (record.sh, scenario `vlan`).

The kernel the lab was recorded on has no 8021q module, no bridge VLAN filtering and no tc
classifiers, so a VLAN sub-interface cannot be made. Instead each node gets an access port
named eth0.100 on an untagged bridge (br100), and this relay joins br100 to the service bridge
br0: frames from br100 enter br0 with an 802.1Q tag (VLAN ID VID), and frames on br0 tagged
with VID leave on br100 untagged. So the service segment and an observer on it carry real
tagged frames, and keepalived on eth0.100 sees untagged ones, as with a real eth0.100.

    python3 vlan-trunk.py ACCESS_IF TRUNK_IF VID      (run inside the switch namespace)
"""
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4          # our own transmissions, seen again by the bound socket
TP_STATUS_VLAN_VALID = 0x10  # the kernel moved the tag out of the frame into the aux data


def open_port(ifname: str) -> socket.socket:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, 0))
    return s


def receive(s: socket.socket):
    """-> (frame as on the wire without a tag, VLAN ID or None), or None for our own frames."""
    data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(32))
    if addr[2] == PACKET_OUTGOING:
        return None
    for level, kind, cdata in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
            status, _len, _snap, _mac, _net, tci, _tpid = struct.unpack('IIIHHHH', cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                return data, tci & 0x0FFF
    if len(data) >= 18 and data[12:14] == b'\x81\x00':
        return data[:12] + data[16:], struct.unpack('!H', data[14:16])[0] & 0x0FFF
    return data, None


def main() -> None:
    access_if, trunk_if, vid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    access, trunk = open_port(access_if), open_port(trunk_if)
    tag = struct.pack('!HH', 0x8100, vid)
    while True:
        ready, _, _ = select.select([access, trunk], [], [])
        for s in ready:
            got = receive(s)
            if got is None:
                continue
            frame, vlan = got
            if s is access and vlan is None:
                trunk.send(frame[:12] + tag + frame[12:])
            elif s is trunk and vlan == vid:
                access.send(frame)


if __name__ == '__main__':
    main()
