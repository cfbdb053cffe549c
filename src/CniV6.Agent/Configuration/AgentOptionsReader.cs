using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Configuration;

/// <summary>
/// Turns the merged configuration (file, then <c>CNIV6_</c> environment, then flags) into <see cref="AgentOptions"/>.
/// Values are read key by key rather than bound by reflection, which keeps Native AOT clean and lets every
/// malformed value be named in the error.
/// </summary>
internal static class AgentOptionsReader
{
    /// <summary>The image's copies (Dockerfile), then Debian's containernetworking-plugins.</summary>
    public static IReadOnlyList<string> DefaultReferencePluginDirs { get; } = ["/usr/lib/cniv6/plugins", "/usr/lib/cni"];

    public static AgentOptions Read(IConfiguration configuration, string? defaultPluginSource = null)
    {
        var nodeName = configuration["NodeName"];
        if (string.IsNullOrWhiteSpace(nodeName))
        {
            throw new AgentConfigurationException("NodeName is required (NODE_NAME, --node-name or \"NodeName\" in the config file)");
        }

        var source = ParseSource(configuration["Source"]);
        var options = new AgentOptions
        {
            NodeName = nodeName,
            Source = source,
            Kubeconfig = NullIfEmpty(configuration["Kubeconfig"]),
            CniConfDir = configuration["Cni:ConfDir"] ?? "/etc/cni/net.d",
            CniConfFileName = configuration["Cni:ConfFileName"] ?? "10-cniv6.conflist",
            CniBinDir = configuration["Cni:BinDir"] ?? "/opt/cni/bin",
            PluginSource = NullIfEmpty(configuration["Cni:PluginSource"]) ?? defaultPluginSource,
            NetworkName = configuration["Cni:NetworkName"] ?? "cniv6",
            Mtu = ParseOptionalInt(configuration, "Cni:Mtu", 1280, 65535),
            IpMasq = ParseBool(configuration, "Cni:IpMasq", true),
            NatBackend = ParseNatBackend(configuration["Nat:Backend"]),
            Portmap = ParseBool(configuration, "Cni:Portmap", true),
            ReferencePluginDirs = ParseDirectories(configuration.GetSection("Cni:ReferencePluginDirs")) ?? DefaultReferencePluginDirs,
            IpamDataDir = configuration["Cni:IpamDataDir"] ?? "/var/lib/cni/cniv6",
            IpamReclaim = ParseBool(configuration, "Cni:IpamReclaim", true),
            IpamReclaimGrace = TimeSpan.FromSeconds(ParseOptionalInt(configuration, "Cni:IpamReclaimGraceSeconds", 0, 86400) ?? 60),
            RoutingMode = ParseRoutingMode(configuration["Routing:Mode"]),
            Vxlan = new VxlanOptions(
                // 24 bits on the wire; 0 is legal but easy to mistake for "unset".
                (uint)(ParseOptionalInt(configuration, "Vxlan:Vni", 1, 16_777_215) ?? (int)VxlanOptions.DefaultVni),
                (ushort)(ParseOptionalInt(configuration, "Vxlan:Port", 1, 65535) ?? VxlanOptions.DefaultPort),
                ParseUnderlay(configuration["Vxlan:Underlay"])),
            Bgp = ParseBgp(configuration),
            ExtraMasqueradeExcludes = ParseNetworks(configuration.GetSection("Cni:MasqueradeExclude")),
            ClusterPodCidrs = ParsePodRanges(configuration.GetSection("Cluster:PodCidrs")),
            HealthAddress = ParseAddress(configuration["Health:Address"] ?? "127.0.0.1", "Health:Address"),
            HealthPort = ParseOptionalInt(configuration, "Health:Port", 0, 65535) ?? 9646,
            ResyncInterval = TimeSpan.FromSeconds(ParseOptionalInt(configuration, "ResyncSeconds", 1, 86400) ?? 60),
            StaticPools = ParsePodRanges(configuration.GetSection("Static:Pools")),
            StaticPeers = ParsePeers(configuration.GetSection("Static:Peers")),
            StaticAddresses = ParseAddresses(configuration.GetSection("Static:Addresses")),
        };

        // The plugin reads both from the conflist and refuses an invalid network name or a relative data directory
        // on every ADD; refuse them here, at start, with the key that sets them.
        if (!CniV6.Core.Ipam.AttachmentIds.IsValidNetworkName(options.NetworkName))
        {
            throw new AgentConfigurationException($"Cni:NetworkName: \"{options.NetworkName}\" may only contain letters, digits, '_', '.' and '-' and must start with a letter or digit");
        }

        if (!Path.IsPathFullyQualified(options.IpamDataDir))
        {
            throw new AgentConfigurationException($"Cni:IpamDataDir: \"{options.IpamDataDir}\" must be an absolute path (the plugin resolves it from the runtime's working directory)");
        }

        if (source == ClusterSourceKind.Static && options.StaticPools.Count == 0)
        {
            throw new AgentConfigurationException("Source is static but Static:Pools is empty");
        }

        if (options.StaticPools.GroupBy(p => p.BaseAddress.AddressFamily).Any(g => g.Count() > 1))
        {
            throw new AgentConfigurationException("Static:Pools may name at most one pool per address family");
        }

        return options;
    }

    private static ClusterSourceKind ParseSource(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "kubernetes" => ClusterSourceKind.Kubernetes,
        "static" => ClusterSourceKind.Static,
        _ => throw new AgentConfigurationException($"Source must be \"kubernetes\" or \"static\", not \"{value}\""),
    };

    private static string ParseRoutingMode(string? value)
    {
        var mode = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(mode))
        {
            return RoutingModes.Default;
        }

        return RoutingModes.IsKnown(mode)
            ? mode
            : throw new AgentConfigurationException($"Routing:Mode must be {string.Join(" or ", RoutingModes.Names.Select(n => $"\"{n}\""))}, not \"{value}\"");
    }

    private static CniV6.Core.Nat.NatBackendPreference ParseNatBackend(string? value) =>
        CniV6.Core.Nat.NatBackendPreferences.TryParse(string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant(), out var preference)
            ? preference
            : throw new AgentConfigurationException($"Nat:Backend must be one of {CniV6.Core.Nat.NatBackendPreferences.Allowed}, not \"{value}\"");

    private static BgpOptions ParseBgp(IConfiguration configuration)
    {
        var peers = new List<BgpPeer>();
        foreach (var peer in configuration.GetSection("Bgp:Peers").GetChildren())
        {
            var password = NullIfEmpty(peer["Password"]);
            if (password is not null && !BirdConfigRenderer.IsRenderablePassword(password))
            {
                throw new AgentConfigurationException($"{peer.Path}:Password must be 1-80 printable ASCII characters without '\"' or '\\'");
            }

            var nodes = peer.GetSection("Nodes") is { Value: { } single }
                ? single.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : peer.GetSection("Nodes").GetChildren().Select(c => c.Value ?? "").Where(v => v.Length > 0).ToArray();
            peers.Add(new BgpPeer(
                ParseAddress(peer["Address"] ?? throw new AgentConfigurationException($"{peer.Path}:Address is required"), $"{peer.Path}:Address"),
                ParseAs(peer["As"], $"{peer.Path}:As") ?? throw new AgentConfigurationException($"{peer.Path}:As is required"),
                password,
                ParseOptionalInt(peer, "Multihop", 1, 255),
                nodes));
        }

        var runDirectory = configuration["Bgp:RunDirectory"] ?? BgpOptions.DefaultRunDirectory;
        if (!Path.IsPathFullyQualified(runDirectory))
        {
            throw new AgentConfigurationException($"Bgp:RunDirectory: \"{runDirectory}\" must be an absolute path");
        }

        return new BgpOptions(
            ParseAs(configuration["Bgp:As"], "Bgp:As") ?? BgpOptions.DefaultAs,
            ParseBool(configuration, "Bgp:Mesh", true),
            ParseBool(configuration, "Bgp:RouteReflector", false),
            peers,
            runDirectory,
            NullIfEmpty(configuration["Bgp:BirdPath"]) ?? BgpOptions.DefaultBirdPath);
    }

    /// <summary>A 32-bit AS number (RFC 6793); 0 and 4294967295 are reserved (RFC 7607, RFC 7300).</summary>
    private static uint? ParseAs(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return uint.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var asn) && asn is > 0 and < uint.MaxValue
            ? asn
            : throw new AgentConfigurationException($"{key} must be an AS number from 1 to 4294967294, not \"{value}\"");
    }

    private static AddressFamily ParseUnderlay(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "ipv6" => AddressFamily.InterNetworkV6,
        "ipv4" => AddressFamily.InterNetwork,
        _ => throw new AgentConfigurationException($"Vxlan:Underlay must be \"ipv6\" or \"ipv4\", not \"{value}\""),
    };

    private static IReadOnlyList<IPAddress> ParseAddresses(IConfigurationSection section)
    {
        // A single value ("fd00::1,10.0.0.1") as well as a list, like the network lists.
        var values = section.Value is { } single
            ? single.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value ?? "").ToArray();
        return [.. values.Select(v => ParseAddress(v, section.Path))];
    }

    private static IReadOnlyList<ClusterNode> ParsePeers(IConfigurationSection section)
    {
        var peers = new List<ClusterNode>();
        foreach (var peer in section.GetChildren())
        {
            var name = peer["Name"];
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new AgentConfigurationException($"{peer.Path}:Name is required");
            }

            var addressList = peer.GetSection("Addresses");
            var addresses = IndexedValues(addressList).Select(a => ParseAddress(a, addressList.Path)).ToArray();
            if (addresses.Length == 0)
            {
                throw new AgentConfigurationException($"{peer.Path}:Addresses must name at least one address");
            }

            var podCidrs = peer.GetSection("PodCidrs");
            peers.Add(new ClusterNode(name, addresses, IndexedValues(podCidrs).Select(c => ParseNetwork(c, podCidrs.Path)).ToArray()));
        }

        if (peers.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new AgentConfigurationException($"Static:Peers names {duplicate.Key} twice");
        }

        return peers;
    }

    /// <summary>
    /// A peer's list, read entry by entry (0, 1, … up to the first missing index) or as one comma-separated value.
    /// Not GetChildren: it scans every key of every configuration provider on each call, so calling it per peer made
    /// reading 5000 peers quadratic (10 000 scans of 25 000 keys: most of a static agent's 25 s start-up).
    /// </summary>
    private static string[] IndexedValues(IConfigurationSection section)
    {
        if (section.Value is { } single)
        {
            return single.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var values = new List<string>();
        for (var i = 0; section[i.ToString(CultureInfo.InvariantCulture)] is { } value; i++)
        {
            values.Add(value);
        }

        return [.. values];
    }

    internal static IReadOnlyList<IPNetwork> ParseNetworks(IConfigurationSection section)
    {
        // A single value ("fd00::/64") is accepted as well as a list, which is what an environment variable gives.
        var values = section.Value is { } single
            ? single.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value ?? "").ToArray();
        return values.Select(v => ParseNetwork(v, section.Path)).ToArray();
    }

    /// <summary>Pod ranges (pools, cluster CIDRs): refused by the plugin's own rule when the plugin would refuse them.</summary>
    private static IReadOnlyList<IPNetwork> ParsePodRanges(IConfigurationSection section)
    {
        var networks = ParseNetworks(section);
        foreach (var network in networks)
        {
            if (CniV6.Core.Config.IpamConfigParser.UnusableReason(network) is { } reason)
            {
                throw new AgentConfigurationException($"{section.Path}: {reason}");
            }
        }

        return networks;
    }

    private static IPNetwork ParseNetwork(string value, string key)
    {
        // Checked by hand: the runtime's parser silently clears host bits, but a pool written as an address
        // ("fd00::1/64") is a typo worth stopping for, not something to guess about.
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPNetwork.TryParse(value, out var network)
            || !IPAddress.TryParse(value.AsSpan(0, slash), out var written) || !written.Equals(network.BaseAddress))
        {
            throw new AgentConfigurationException($"{key}: \"{value}\" is not a CIDR with the host bits zero");
        }

        return network;
    }

    /// <summary>Absolute directories, as a list or one comma-separated value; null when the key is absent ("" means none).</summary>
    private static IReadOnlyList<string>? ParseDirectories(IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return null;
        }

        var values = section.Value is { } single
            ? single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value ?? "").ToArray();
        foreach (var value in values)
        {
            if (!Path.IsPathFullyQualified(value) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new AgentConfigurationException($"{section.Path}: \"{value}\" is not an absolute path");
            }
        }

        return values;
    }

    private static IPAddress ParseAddress(string? value, string key) =>
        IPAddress.TryParse(value, out var address)
            ? address
            : throw new AgentConfigurationException($"{key}: \"{value}\" is not an IP address");

    private static int? ParseOptionalInt(IConfiguration configuration, string key, int min, int max)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new AgentConfigurationException($"{key}: \"{value}\" is not an integer in [{min}, {max}]");
        }

        return number;
    }

    private static bool ParseBool(IConfiguration configuration, string key, bool defaultValue)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        return bool.TryParse(value, out var flag)
            ? flag
            : throw new AgentConfigurationException($"{key}: \"{value}\" is not true or false");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
