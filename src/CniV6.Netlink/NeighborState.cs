namespace CniV6.Netlink;

/// <summary>ndm_state: the NUD_* states of linux/neighbour.h.</summary>
[Flags]
public enum NeighborState
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,

    /// <summary>No address resolution (e.g. point-to-point devices).</summary>
    NoArp = 0x40,

    /// <summary>Set by hand: never re-resolved, never aged out, kept when the carrier goes down.</summary>
    Permanent = 0x80,
}
