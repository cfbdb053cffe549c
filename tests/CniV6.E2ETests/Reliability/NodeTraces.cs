using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Reliability;

/// <summary>
/// Everything cniv6 can leave behind on a node and in a pod: IPAM allocations, host veths, host routes
/// (protocol 198) and pod interfaces. A test that says "no trace" compares this against empty.
/// A DEL'd attachment whose pod namespace still exists may leave its veth pair down, to go with the namespace
/// (docs/DESIGN.md "DEL without waiting for the kernel"): a host veth that is down and a pod interface without carrier
/// carry no traffic, hold no route and no address of the pool, so they are not traces while the namespace lives;
/// <see cref="AssertNoVethOnceNamespacesAreGone"/> proves they go with it.
/// </summary>
internal static class NodeTraces
{
    public const string NetworkName = "reliability";

    /// <summary>Human-readable leftovers; empty when the node is clean.</summary>
    public static List<string> Find(E2ENode node, params PodSandbox[] pods)
    {
        var traces = new List<string>();
        traces.AddRange(Allocations(node).Select(a => "allocation " + a));
        traces.AddRange(HostVeths(node).Where(v => v.Up).Select(v => "host veth " + v.Name));
        foreach (string family in new[] { "-6", "-4" })
        {
            string routes = node.Namespace.Ip(family, "route", "show", "proto", "198").Trim();
            if (routes.Length > 0)
            {
                traces.Add($"host routes ({family}): {routes}");
            }
        }

        foreach (PodSandbox pod in pods.Where(p => p.Namespace.Exists))
        {
            ProcessResult link = pod.Namespace.Exec("ip", "link", "show", pod.IfName);
            if (link.Succeeded && link.StandardOutput.Contains("LOWER_UP", StringComparison.Ordinal))
            {
                traces.Add($"pod interface {pod.IfName} in {pod.Namespace.Name}");
            }
        }

        return traces;
    }

    /// <summary>
    /// Deletes the pods' namespaces (as the runtime does after DEL) and asserts that no cniv6 host veth is left on the
    /// node once the kernel has finished removing them (it does that in the background, within moments).
    /// </summary>
    public static void AssertNoVethOnceNamespacesAreGone(E2ENode node, params PodSandbox[] pods)
    {
        foreach (PodSandbox pod in pods)
        {
            pod.Namespace.Delete();
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (HostVeths(node).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            Thread.Sleep(50);
        }

        Assert.Empty(HostVeths(node).Select(v => v.Name));
    }

    /// <summary>The node's cniv6 host veths and whether each is administratively up.</summary>
    public static List<(string Name, bool Up)> HostVeths(E2ENode node)
    {
        using JsonDocument doc = JsonDocument.Parse(node.Namespace.Ip("-j", "link", "show"));
        return doc.RootElement.EnumerateArray()
            .Select(l => (Name: l.GetProperty("ifname").GetString()!,
                          Up: l.TryGetProperty("flags", out JsonElement flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP")))
            .Where(l => l.Name.StartsWith("cv6", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>"containerId/ifName: addresses" for every allocation in the node's IPAM store (one record file each),
    /// plus every address claim no record holds (what a killed plugin would leave behind).</summary>
    public static List<string> Allocations(E2ENode node)
    {
        string records = Path.Combine(node.DataDir, NetworkName, "attachments");
        if (!Directory.Exists(records))
        {
            return [];
        }

        var held = new HashSet<string>(StringComparer.Ordinal);
        var allocations = new List<string>();
        foreach (string record in Directory.GetFiles(records).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(record));
            string[] addresses = [.. doc.RootElement.GetProperty("addresses").EnumerateArray().Select(x => x.GetString()!)];
            held.UnionWith(addresses);
            allocations.Add($"{doc.RootElement.GetProperty("containerId").GetString()}/{doc.RootElement.GetProperty("ifName").GetString()}: "
                + string.Join(", ", addresses));
        }

        string claims = Path.Combine(node.DataDir, NetworkName, "addresses");
        allocations.AddRange(Directory.GetFiles(claims).Select(Path.GetFileName).OfType<string>()
            .Where(address => !held.Contains(address)).Order(StringComparer.Ordinal).Select(address => $"claim without a record: {address}"));
        return allocations;
    }
}
