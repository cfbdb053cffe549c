namespace CniV6.Netlink;

/// <summary>IFA_F_* address flags (linux/if_addr.h) as they appear in <see cref="AddressInfo.Flags"/>.</summary>
public static class AddressFlags
{
    public const uint Secondary = 0x01;
    public const uint NoDad = 0x02;
    public const uint Optimistic = 0x04;
    public const uint DadFailed = 0x08;
    public const uint Deprecated = 0x20;

    /// <summary>Duplicate address detection has not finished: the address cannot be used yet.</summary>
    public const uint Tentative = 0x40;
    public const uint Permanent = 0x80;
}
