using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// Everything a CNI invocation could change on a node, as text: links and routes of the node and of every pod,
/// both nat tables (counters and comments removed) and the IPAM store (file names and bytes). Two snapshots
/// are equal exactly when the invocation left the host as it found it.
/// </summary>
internal sealed record HostSnapshot(string Text)
{
    /// <param name="dataDir">The IPAM dataDir of the configuration under test.</param>
    /// <param name="ignoreStoreCursors">
    /// Compare the store without its next-fit cursors: a failed ADD that had reserved and then released its
    /// addresses leaves the cursor behind the released address (by design, so the address is not handed out
    /// again at once); allocations and file names must still match exactly.
    /// </param>
    public static HostSnapshot Take(E2ENode node, IEnumerable<PodSandbox> pods, string dataDir, bool ignoreStoreCursors)
    {
        WaitUntilSettled([node.Namespace, .. pods.Where(p => p.Namespace.Exists).Select(p => p.Namespace)]);
        var text = new StringBuilder();
        Section(text, "node", Namespace(node.Namespace));
        foreach (PodSandbox pod in pods.Where(p => p.Namespace.Exists))
        {
            Section(text, "pod " + pod.ContainerId, Namespace(pod.Namespace));
        }

        Section(text, "ip6tables nat", NatTable(node.Namespace, "ip6tables-save"));
        Section(text, "iptables nat", NatTable(node.Namespace, "iptables-save"));
        Section(text, "ipam store", Store(dataDir, ignoreStoreCursors));
        return new HostSnapshot(text.ToString());
    }

    /// <summary>Carrier and duplicate-address-detection state settle on their own after an ADD; they are not changes.</summary>
    private static readonly HashSet<string> SettlingProperties = ["operstate", "valid_life_time", "preferred_life_time", "tentative", "optimistic"];

    private static readonly HashSet<string> SettlingFlags = ["LOWER_UP", "NO-CARRIER", "M-DOWN", "linkdown"];

    private static string Namespace(NetworkNamespace ns) =>
        string.Join('\n',
            "links: " + Settled(ns.Ip("-j", "link", "show")),
            "addresses: " + Settled(ns.Ip("-j", "addr", "show")),
            "ipv6 routes: " + Settled(RoutesOutsideLocalTable(ns.Ip("-j", "-6", "route", "show", "table", "all"))),
            "ipv4 routes: " + Settled(RoutesOutsideLocalTable(ns.Ip("-j", "-4", "route", "show", "table", "all"))));

    /// <summary>
    /// The local table is the kernel's mirror of the addresses (compared on their own) plus a multicast route per
    /// IPv6 link that it adds whenever it gets round to it; every route a plugin adds lives elsewhere.
    /// </summary>
    private static string RoutesOutsideLocalTable(string ipJson)
    {
        JsonArray routes = JsonNode.Parse(ipJson)!.AsArray();
        foreach (JsonNode? local in routes.Where(r => r?["table"]?.GetValue<string>() == "local").ToList())
        {
            routes.Remove(local);
        }

        return routes.ToJsonString();
    }

    /// <summary>
    /// After link-up the kernel adds link-local addresses, their routes and multicast routes a little later
    /// (carrier is reported through linkwatch, up to a second late): wait until every up link has carrier and no
    /// address is still tentative, so the snapshot before the invocation is not taken halfway through that.
    /// </summary>
    private static void WaitUntilSettled(IReadOnlyList<NetworkNamespace> namespaces)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !namespaces.All(IsSettled))
        {
            Thread.Sleep(100);
        }
    }

    private static bool IsSettled(NetworkNamespace ns)
    {
        using JsonDocument addresses = JsonDocument.Parse(ns.Ip("-j", "addr", "show"));
        foreach (JsonElement link in addresses.RootElement.EnumerateArray())
        {
            string[] flags = [.. link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!)];
            if (flags.Contains("UP") && !flags.Contains("LOOPBACK")
                && (!flags.Contains("LOWER_UP") || !link.GetProperty("addr_info").EnumerateArray().Any(IsIPv6LinkLocal)))
            {
                return false;
            }

            if (link.GetProperty("addr_info").EnumerateArray().Any(a => a.TryGetProperty("tentative", out _)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIPv6LinkLocal(JsonElement address) =>
        address.GetProperty("family").GetString() == "inet6" && address.GetProperty("scope").GetString() == "link";

    private static string Settled(string ipJson)
    {
        JsonNode? document = JsonNode.Parse(ipJson);
        Strip(document);
        return document?.ToJsonString() ?? "";
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string name in obj.Select(p => p.Key).Where(SettlingProperties.Contains).ToList())
                {
                    obj.Remove(name);
                }

                if (obj["flags"] is JsonArray flags)
                {
                    foreach (JsonNode? flag in flags.Where(f => SettlingFlags.Contains(f?.GetValue<string>() ?? "")).ToList())
                    {
                        flags.Remove(flag);
                    }
                }

                foreach (KeyValuePair<string, JsonNode?> property in obj)
                {
                    Strip(property.Value);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    Strip(item);
                }

                break;
        }
    }

    private static string NatTable(NetworkNamespace ns, string save)
    {
        string saved = ns.ExecChecked(save, "-t", "nat");
        return string.Join('\n', saved.Split('\n')
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.StartsWith(':') ? line[..(line.LastIndexOf(' ') is > 0 and var space ? space : line.Length)] : line));
    }

    private static string Store(string dataDir, bool ignoreCursors)
    {
        if (!Directory.Exists(dataDir))
        {
            return "(no dataDir)";
        }

        var text = new StringBuilder();
        foreach (string file in Directory.EnumerateFileSystemEntries(dataDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(dataDir, file));
            // Never read a FIFO (it would block) or a huge file: what is not a small regular file is described.
            CniV6.Linux.PosixFile.TryStat(file, followSymlinks: false, out CniV6.Linux.FileStatus status);
            if (status.Type == CniV6.Linux.PosixFileType.Directory)
            {
                text.Append(": directory ").Append(Convert.ToString((int)status.Permissions, 8));
            }
            else if (status.Type != CniV6.Linux.PosixFileType.RegularFile || status.Size > 1024 * 1024)
            {
                text.Append(": ").Append(status.Type).Append(' ').Append(status.Size).Append(" bytes ").Append(Convert.ToString((int)status.Permissions, 8));
            }
            else
            {
                byte[] content = File.ReadAllBytes(file);
                text.Append(": ").Append(ignoreCursors && Path.GetFileName(file) == "state.json" ? WithoutCursors(content) : Encoding.UTF8.GetString(content));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string WithoutCursors(byte[] state)
    {
        try
        {
            JsonNode? document = JsonNode.Parse(state);
            if (document is JsonObject obj)
            {
                obj.Remove("pools");
                return obj.ToJsonString();
            }
        }
        catch (JsonException)
        {
            // A corrupt store is compared byte for byte.
        }

        return Encoding.UTF8.GetString(state);
    }

    private static void Section(StringBuilder text, string title, string body) =>
        text.Append("=== ").Append(title).Append(" ===\n").Append(body.TrimEnd()).Append('\n');
}
