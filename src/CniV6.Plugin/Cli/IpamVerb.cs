using System.Net;
using System.Text.Json;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using CniV6.Linux;

namespace CniV6.Plugin.Cli;

/// <summary>
/// <c>cniv6 ipam list</c> and <c>cniv6 ipam release &lt;address|container-id&gt; --yes</c>: what the built-in IPAM of a
/// network has handed out, and freeing an address whose pod is gone when the runtime never called DEL or GC. Both
/// work under the store's lock, so they never race an ADD or DEL of the same network.
/// </summary>
internal sealed class IpamVerb : ICliVerb
{
    private static readonly TimeSpan StoreLockTimeout = TimeSpan.FromSeconds(10);

    public string Name => "ipam";

    public string Summary => "list the addresses the built-in IPAM has handed out, or release one";

    public string Usage =>
        "usage: cniv6 ipam list [--json] [options]\n" +
        "       cniv6 ipam release <address|container-id> --yes [options]\n\n" +
        "list     every allocation of the network: addresses, container ID, interface, pod (when the\n" +
        "         runtime passed K8S_POD_NAMESPACE/K8S_POD_NAME), network namespace and age\n" +
        "release  frees the allocation holding <address>, or every allocation of <container-id>;\n" +
        "         only with --yes (an address still in use would be handed to a second pod)\n\n" +
        "options:\n" +
        "  --json            list as JSON\n" +
        "  --yes             really release\n" +
        NetworkOptions.Usage;

    public int Run(IReadOnlyList<string> arguments, CliConsole console)
    {
        var parsed = CliArguments.Parse(this, arguments, ["--json", "--yes"], maxPositionals: 2, NetworkOptions.Declared);
        var options = NetworkOptions.From(parsed);
        var action = parsed.Positionals.Count > 0 ? parsed.Positionals[0] : throw new CliUsageException("'ipam' needs 'list' or 'release'", this);
        switch (action)
        {
            case "list":
                if (parsed.Positionals.Count > 1)
                {
                    throw new CliUsageException($"unexpected argument '{parsed.Positionals[1]}' for 'ipam list'", this);
                }

                if (parsed.Has("--yes"))
                {
                    throw new CliUsageException("'--yes' is for 'ipam release'", this);
                }

                return List(options, parsed.Has("--json"), console);
            case "release":
                if (parsed.Positionals.Count < 2)
                {
                    throw new CliUsageException("'ipam release' needs an address or a container ID", this);
                }

                if (parsed.Has("--json"))
                {
                    throw new CliUsageException("'--json' is for 'ipam list'", this);
                }

                return Release(options, parsed.Positionals[1], parsed.Has("--yes"), console);
            default:
                throw new CliUsageException($"unknown ipam command '{action}'", this);
        }
    }

    private static int List(NetworkOptions options, bool json, CliConsole console)
    {
        var (network, dataDir) = options.ResolveStore();
        var allocations = WithStore(network, dataDir, store => store.List()) ?? [];
        var now = DateTimeOffset.UtcNow;
        if (json)
        {
            console.Out.WriteLine(ListJson(network, dataDir, allocations, now));
            return 0;
        }

        if (allocations.Count == 0)
        {
            console.Out.WriteLine($"network {network}: no allocations ({dataDir})");
            return 0;
        }

        console.Out.Write(TextTable.Render(
            ["ADDRESS", "CONTAINER ID", "IFNAME", "POD", "NETNS", "AGE"],
            [.. allocations.Select(a => (IReadOnlyList<string>)
            [
                string.Join(',', a.Addresses),
                a.ContainerId,
                a.IfName,
                a.Pod?.ToString() ?? "-",
                a.NetNs ?? "-",
                AgeText.Format(now - a.Created),
            ])]));
        return 0;
    }

    internal static string ListJson(string network, string dataDir, IReadOnlyList<Allocation> allocations, DateTimeOffset now)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("network", network);
            writer.WriteString("dataDir", dataDir);
            writer.WriteStartArray("allocations");
            foreach (var allocation in allocations)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("addresses");
                foreach (var address in allocation.Addresses)
                {
                    writer.WriteStringValue(address.ToString());
                }

                writer.WriteEndArray();
                writer.WriteString("containerId", allocation.ContainerId);
                writer.WriteString("ifName", allocation.IfName);
                WriteOptional(writer, "podNamespace", allocation.Pod?.Namespace);
                WriteOptional(writer, "podName", allocation.Pod?.Name);
                WriteOptional(writer, "netns", allocation.NetNs);
                writer.WriteString("hostVeth", HostVethName.For(allocation.ContainerId, allocation.IfName));
                writer.WriteString("created", allocation.Created);
                writer.WriteNumber("ageSeconds", Math.Max(0, (long)(now - allocation.Created).TotalSeconds));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static int Release(NetworkOptions options, string target, bool confirmed, CliConsole console)
    {
        var isAddress = IPAddress.TryParse(target, out var address);
        if (!isAddress && !AttachmentIds.IsValidContainerId(target))
        {
            throw new CliFailureException($"'{target}' is neither an IP address nor a container ID");
        }

        var (network, dataDir) = options.ResolveStore();
        var released = WithStore(network, dataDir, store =>
        {
            List<Allocation> matches = [.. store.List().Where(a => isAddress ? a.Addresses.Contains(address!) : a.ContainerId == target)];
            if (matches.Count == 0)
            {
                throw new CliFailureException($"network {network}: no allocation holds {target}");
            }

            if (!confirmed)
            {
                foreach (var match in matches)
                {
                    console.Error.WriteLine($"would release {Describe(match)}");
                }

                throw new CliFailureException(
                    $"not releasing without --yes: an address still in use would be given to a second pod (run 'cniv6 ipam release {ShellQuote.Quote(target)} --yes{options.CommandSuffix()}')");
            }

            foreach (var match in matches)
            {
                store.Release(match.ContainerId, match.IfName);
            }

            return matches;
        }) ?? throw new CliFailureException($"network {network}: no allocation holds {target} (no IPAM state in {dataDir})");

        foreach (var allocation in released)
        {
            console.Out.WriteLine($"released {Describe(allocation)}");
            var veth = HostVethName.For(allocation.ContainerId, allocation.IfName);
            if (allocation.NetNs is { } netns && File.Exists(netns))
            {
                console.Error.WriteLine($"warning: network namespace {netns} still exists; the pod may still use {string.Join(", ", allocation.Addresses)}");
            }
            else if (Directory.Exists($"/sys/class/net/{veth}"))
            {
                console.Error.WriteLine($"warning: host veth {veth} still exists (remove it with 'ip link del {veth}')");
            }
        }

        return 0;
    }

    private static string Describe(Allocation allocation) =>
        $"{string.Join(", ", allocation.Addresses)} of {allocation.ContainerId}/{allocation.IfName}" +
        (allocation.Pod is { } pod ? $" (pod {pod})" : "");

    /// <summary>Runs <paramref name="work"/> on the locked store; null when the network has no store yet (nothing is created).</summary>
    private static T? WithStore<T>(string network, string dataDir, Func<IpamStore, T> work)
        where T : class
    {
        if (!AttachmentIds.IsValidNetworkName(network))
        {
            throw new CliFailureException($"invalid network name '{network}'");
        }

        if (!Directory.Exists(Path.Combine(dataDir, network)))
        {
            return null;
        }

        try
        {
            using var store = IpamStore.Open(dataDir, network, StoreLockTimeout);
            return work(store);
        }
        catch (TimeoutException)
        {
            throw new CliFailureException($"the IPAM store of {network} in {dataDir} stayed locked for {StoreLockTimeout.TotalSeconds} s (a plugin invocation hangs?)");
        }
        catch (Exception e) when (e is IpamStoreCorruptException or IOException or UnauthorizedAccessException or LinuxException)
        {
            throw new CliFailureException($"the IPAM store of {network} in {dataDir} is not usable: {e.Message}", e);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
