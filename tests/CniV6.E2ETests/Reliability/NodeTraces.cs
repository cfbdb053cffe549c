using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Reliability;

/// <summary>
/// Everything cniv6 can leave behind on a node and in a pod: IPAM allocations, host veths, host routes
/// (protocol 198) and pod interfaces. A test that says "no trace" compares this against empty.
/// </summary>
internal static class NodeTraces
{
    public const string NetworkName = "reliability";

    /// <summary>Human-readable leftovers; empty when the node is clean.</summary>
    public static List<string> Find(E2ENode node, params PodSandbox[] pods)
    {
        var traces = new List<string>();
        traces.AddRange(Allocations(node).Select(a => "allocation " + a));
        traces.AddRange(node.LinkNames().Where(n => n.StartsWith("cv6", StringComparison.Ordinal)).Select(n => "host veth " + n));
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
            if (link.Succeeded)
            {
                traces.Add($"pod interface {pod.IfName} in {pod.Namespace.Name}");
            }
        }

        return traces;
    }

    /// <summary>"containerId/ifName: addresses" for every allocation in the node's IPAM store.</summary>
    public static List<string> Allocations(E2ENode node)
    {
        string state = Path.Combine(node.DataDir, NetworkName, "state.json");
        if (!File.Exists(state))
        {
            return [];
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(state));
        return doc.RootElement.GetProperty("allocations").EnumerateArray()
            .Select(a => $"{a.GetProperty("containerId").GetString()}/{a.GetProperty("ifName").GetString()}: "
                + string.Join(", ", a.GetProperty("addresses").EnumerateArray().Select(x => x.GetString())))
            .ToList();
    }
}
