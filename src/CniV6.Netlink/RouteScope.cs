namespace CniV6.Netlink;

/// <summary>enum rt_scope_t (linux/rtnetlink.h).</summary>
public static class RouteScope
{
    public const byte Universe = 0;
    public const byte Site = 200;
    public const byte Link = 253;
    public const byte Host = 254;
}
