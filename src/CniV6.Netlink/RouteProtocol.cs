namespace CniV6.Netlink;

/// <summary>rtm_protocol values (linux/rtnetlink.h), plus our own tag.</summary>
public static class RouteProtocol
{
    public const byte Unspecified = 0;
    public const byte Redirect = 1;
    public const byte Kernel = 2;
    public const byte Boot = 3;
    public const byte Static = 4;
    public const byte RouterAdvertisement = 9;

    /// <summary>Routes CniV6 installs, so they can be found and removed without touching anyone else's (0xC6).</summary>
    public const byte CniV6 = 198;
}
