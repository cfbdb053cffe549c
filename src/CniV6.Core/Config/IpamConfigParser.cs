using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.Netlink;

namespace CniV6.Core.Config;

/// <summary>
/// Validates the <c>"ipam"</c> section. Only the built-in allocator's settings are checked; a delegated plugin's
/// section is kept raw because only that plugin knows its schema.
/// </summary>
public static class IpamConfigParser
{
    /// <summary>Longest IPv6 prefix of a pool: /126 leaves three addresses after the reserved first one.</summary>
    public const int MaxIPv6PrefixLength = 126;

    /// <summary>Longest IPv4 prefix of a pool: /30 leaves two addresses between network and broadcast.</summary>
    public const int MaxIPv4PrefixLength = 30;

    public static IpamConfig Parse(JsonElement root, JsonFieldReader reader)
    {
        if (reader.GetOptional(root, "ipam", "", JsonValueKind.Object) is not { } ipam)
        {
            throw reader.Error("ipam", "required");
        }

        var type = reader.GetOptionalString(ipam, "type", "ipam") ?? IpamConfig.BuiltInType;
        if (type.Length == 0)
        {
            throw reader.Error("ipam.type", "must not be empty");
        }

        if (type is "." or ".." || type.IndexOfAny(['/', '\\', '\0']) >= 0 || type.Length > 255)
        {
            throw reader.Error("ipam.type", "must be a plugin file name without path separators", NetworkConfigParser.Truncate(type));
        }

        var raw = ipam.Clone();
        if (type != IpamConfig.BuiltInType)
        {
            return new IpamConfig { Type = type, Raw = raw };
        }

        return new IpamConfig
        {
            Type = type,
            Pools = ParsePools(ipam, reader),
            DataDir = NetworkConfigParser.ParseAbsolutePath(ipam, "dataDir", "ipam") ?? IpamConfig.DefaultDataDir,
            Raw = raw,
        };
    }

    /// <summary>"address/prefix" whose address is the network itself (no host bits).</summary>
    public static IPNetwork ParseCanonicalNetwork(string text, string path, JsonFieldReader reader)
    {
        if (!Cidr.TryParse(text, out var address, out var prefixLength, out var problem))
        {
            throw reader.Error(path, $"\"{NetworkConfigParser.Truncate(text)}\" is not a CIDR such as fd00:10:244::/64 or 10.244.0.0/16", problem);
        }

        var network = Cidr.NetworkOf(address, prefixLength);
        return network.BaseAddress.Equals(address)
            ? network
            : throw reader.Error(path, $"\"{text}\" has host bits set; the network is {network}");
    }

    private static List<IPNetwork> ParsePools(JsonElement ipam, JsonFieldReader reader)
    {
        var items = reader.GetOptionalStringList(ipam, "pools", "ipam");
        if (items is null || items.Count == 0)
        {
            throw reader.Error("ipam.pools", items is null ? "required" : "must list at least one network");
        }

        if (items.Count > 2)
        {
            throw reader.Error("ipam.pools", $"at most one IPv6 and one IPv4 pool are supported, got {items.Count} pools");
        }

        var pools = new List<IPNetwork>(items.Count);
        foreach (var (text, path) in items)
        {
            var pool = ParseCanonicalNetwork(text, path, reader);
            CheckUsable(pool, path, reader);
            var family = pool.BaseAddress.AddressFamily;
            if (pools.Any(p => p.BaseAddress.AddressFamily == family))
            {
                // Same family twice always overlaps or splits one pod between two ranges; both are unsupported.
                var familyName = family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                throw reader.Error(path, $"{pool} is a second {familyName} pool; at most one pool per address family is supported");
            }

            pools.Add(pool);
        }

        return pools;
    }

    private static void CheckUsable(IPNetwork pool, string path, JsonFieldReader reader)
    {
        if (UnusableReason(pool) is { } reason)
        {
            throw reader.Error(path, reason);
        }
    }

    /// <summary>
    /// Why <paramref name="pool"/> cannot hold pods (too small, too wide, or in a reserved range), or null when it
    /// can. The one rule for pod ranges: the agent applies it to the pools and pod CIDRs it is told about, so what
    /// the plugin would refuse is refused there too.
    /// </summary>
    public static string? UnusableReason(IPNetwork pool)
    {
        var isV6 = pool.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var maximum = isV6 ? MaxIPv6PrefixLength : MaxIPv4PrefixLength;
        if (pool.PrefixLength > maximum)
        {
            return $"{pool} is too small: the prefix length must be at most /{maximum} to leave a usable address";
        }

        var reason = isV6 ? ReservedIPv6Reason(pool) : ReservedIPv4Reason(pool);
        return reason is null ? null : $"{pool} cannot be a pod pool: {reason}";
    }

    private static string? ReservedIPv6Reason(IPNetwork pool)
    {
        Span<byte> first = stackalloc byte[16];
        pool.BaseAddress.TryWriteBytes(first, out _);
        if (pool.PrefixLength < 8)
        {
            return "it is wider than /8 and would cover reserved ranges";
        }

        if (first[0] == 0xff)
        {
            return "it is multicast (ff00::/8)";
        }

        if (first[0] == 0xfe && (first[1] & 0xc0) == 0x80)
        {
            return "it is link-local (fe80::/10), where the pod gateway lives";
        }

        return first[0] == 0 ? "it is inside ::/8 (unspecified, loopback, IPv4-mapped)" : null;
    }

    private static string? ReservedIPv4Reason(IPNetwork pool)
    {
        Span<byte> first = stackalloc byte[4];
        pool.BaseAddress.TryWriteBytes(first, out _);
        if (pool.PrefixLength < 8)
        {
            return "it is wider than /8 and would cover reserved ranges";
        }

        return first[0] switch
        {
            0 => "it is inside 0.0.0.0/8",
            127 => "it is loopback (127.0.0.0/8)",
            169 when first[1] == 254 => "it is link-local (169.254.0.0/16), where the pod gateway lives",
            >= 224 => "it is multicast or reserved (224.0.0.0/3)",
            _ => null,
        };
    }
}
