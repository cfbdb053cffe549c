namespace CniV6.Netlink;

/// <summary>enum rt_class_t (linux/rtnetlink.h).</summary>
public static class RouteTable
{
    /// <summary>As a <see cref="RtNetlink.ListRoutes"/> filter: every table.</summary>
    public const int Unspecified = 0;
    public const int Default = 253;
    public const int Main = 254;
    public const int Local = 255;
}
