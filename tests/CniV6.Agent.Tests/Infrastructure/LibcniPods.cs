using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// Pods added and deleted as a container runtime does it: the libcni driver inside the node namespace, with the
/// conflist and plugin the node's agent installed under <paramref name="nodeDir"/> (net.d, bin, cni-cache).
/// </summary>
internal static class LibcniPods
{
    /// <summary>Creates the pod namespace <paramref name="podNetns"/> and runs ADD; the pod with the addresses the plugin gave it.</summary>
    public static TestPod Add(string nodeNetns, string nodeDir, string podNetns, int node)
    {
        Shell.Run("ip", "netns", "add", podNetns);
        using var json = JsonDocument.Parse(Driver(nodeNetns, nodeDir, podNetns, "add"));
        var addresses = json.RootElement.GetProperty("ips").EnumerateArray()
            .Select(ip => ip.GetProperty("address").GetString()!.Split('/'))
            .Select(parts => (Address: IPAddress.Parse(parts[0]), Prefix: int.Parse(parts[1])))
            .ToArray();
        var v6 = addresses.Single(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6);
        var v4 = addresses.Single(a => a.Address.AddressFamily == AddressFamily.InterNetwork);
        return new TestPod(podNetns, node, v6.Address, v6.Prefix, v4.Address, v4.Prefix);
    }

    /// <summary>DEL through libcni, then the pod namespace goes; tolerant, for cleanup paths.</summary>
    public static void Delete(string nodeNetns, string nodeDir, string podNetns)
    {
        try
        {
            Driver(nodeNetns, nodeDir, podNetns, "del");
        }
        catch (InvalidOperationException)
        {
            // The namespace removal below takes the pod's end of the veth; the node end goes with it.
        }

        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", podNetns);
    }

    private static string Driver(string nodeNetns, string nodeDir, string podNetns, string op) =>
        Shell.InNamespace(nodeNetns, RequiredFiles.Driver,
            "-conflist", Path.Combine(nodeDir, "net.d", "10-cniv6.conflist"),
            "-bin", $"{Path.Combine(nodeDir, "bin")}:/usr/lib/cni",
            "-netns", InNamespace.PathOf(podNetns),
            "-containerid", podNetns,
            "-cachedir", Path.Combine(nodeDir, "cni-cache"),
            "-op", op);
}
