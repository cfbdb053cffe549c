namespace CniV6.Netlink;

/// <summary>Turns one reply message into a value, or null to leave it out (e.g. a route of another table).</summary>
internal delegate T? NetlinkMessageParser<T>(NetlinkMessage message)
    where T : class;
