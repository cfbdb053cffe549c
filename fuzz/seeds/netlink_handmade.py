#!/usr/bin/env python3
"""Writes the netlink seeds that a capture cannot produce on demand (fuzz/corpus/netlink/hand-*.bin).

Replies the kernel sends only in rare situations: an uncapped NLMSG_ERROR echoing the whole request before its
extended-ack attributes, NLMSG_DONE carrying an errno, a dump interrupted by concurrent changes (NLM_F_DUMP_INTR),
NLMSG_NOOP/NLMSG_OVERRUN, stale replies of another sequence, and nested/multipath attributes. Byte order is the
host's (little-endian x86-64), like every captured seed. Every reply uses nlmsg_seq 1 and nlmsg_pid 4242, which the
replay transport takes from the first message.
"""
import os
import struct
import sys

SEQ, PID = 1, 4242
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE = 16, 20, 24
NLM_F_MULTI, NLM_F_DUMP_INTR, NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x2, 0x10, 0x100, 0x200
NLA_F_NESTED = 0x8000


def align(data):
    return data + b"\0" * (-len(data) % 4)


def attr(kind, value):
    return align(struct.pack("<HH", 4 + len(value), kind) + value)


def message(kind, flags, payload, seq=SEQ, pid=PID):
    return align(struct.pack("<IHHII", 16 + len(payload), kind, flags, seq, pid) + payload)


def ifinfomsg(index, flags=0x1):
    return struct.pack("<BxHiII", 0, 1, index, flags, 0)


def link(index, name, mtu=1500, kind=None):
    attrs = attr(3, name.encode() + b"\0") + attr(4, struct.pack("<I", mtu)) + attr(1, bytes.fromhex("eeeeeeeeeeee"))
    if kind:
        attrs += attr(18 | NLA_F_NESTED, attr(1, kind.encode() + b"\0"))
    return message(RTM_NEWLINK, NLM_F_MULTI, ifinfomsg(index) + attrs)


def error(errno, flags, echoed, tlvs=b""):
    return message(NLMSG_ERROR, flags, struct.pack("<i", -errno) + echoed + tlvs)


def main(directory):
    request = message(RTM_NEWLINK, 0x5, ifinfomsg(7) + attr(3, b"cv6x\0"))
    done = message(NLMSG_DONE, NLM_F_MULTI, struct.pack("<i", 0))
    seeds = {
        # Without NETLINK_CAP_ACK the whole request is echoed; the text follows it.
        "hand-error-uncapped-extack.bin": error(22, NLM_F_ACK_TLVS, request,
                                                attr(1, b"Invalid link name\0") + attr(2, struct.pack("<I", 36))),
        "hand-error-capped-extack.bin": error(17, NLM_F_CAPPED | NLM_F_ACK_TLVS, request[:16], attr(1, b"File exists\0")),
        "hand-done-with-errno-extack.bin": link(1, "lo", 65536) + message(
            NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, struct.pack("<i", -16) + attr(1, b"dump failed part-way\0")),
        "hand-dump-interrupted.bin": message(RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, ifinfomsg(1) + attr(3, b"lo\0")) + done,
        "hand-stale-noop-then-links.bin": (
            message(RTM_NEWLINK, NLM_F_MULTI, ifinfomsg(9) + attr(3, b"first\0"))
            + message(RTM_NEWLINK, NLM_F_MULTI, ifinfomsg(8) + attr(3, b"stale0\0"), seq=77)
            + message(NLMSG_NOOP, 0, b"")
            + link(2, "cv6a1b2c3d4e5f", 1450, "veth") + done),
        "hand-overrun.bin": message(RTM_NEWLINK, NLM_F_MULTI, ifinfomsg(3) + attr(3, b"eth0\0")) + message(NLMSG_OVERRUN, 0, b""),
        "hand-address-ipv6-flags.bin": message(RTM_NEWADDR, NLM_F_MULTI,
                                               struct.pack("<BBBBi", 10, 128, 0x80, 0, 2)
                                               + attr(1, bytes.fromhex("fd000010024400010000000000000005"))
                                               + attr(8, struct.pack("<I", 0x2c0))) + done,
        "hand-route-multipath-ipv6.bin": message(RTM_NEWROUTE, NLM_F_MULTI,
                                                 struct.pack("<BBBBBBBBI", 10, 64, 0, 0, 254, 198, 0, 1, 0)
                                                 + attr(15, struct.pack("<I", 254))
                                                 + attr(1, bytes.fromhex("fd000010024700000000000000000000"))
                                                 + attr(9, struct.pack("<HBBi", 28, 0, 0, 3) + attr(5, bytes.fromhex("fd000010024400000000000000000009")))
                                                 ) + done,
    }
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus", "netlink"))
