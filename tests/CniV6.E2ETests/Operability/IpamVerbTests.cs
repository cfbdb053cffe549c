using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Operability;

/// <summary>
/// <c>cniv6 ipam list</c> and <c>cniv6 ipam release</c> on pods ADDed through libcni in a throwaway node: the list shows
/// what each pod holds, a release frees it under the store lock, and the next ADD can take the freed address.
/// </summary>
[Collection(OperabilityCollection.Name)]
public sealed class IpamVerbTests
{
    // Three usable addresses (::1..::3; the first address of a pool is never handed out).
    private const string TinyPool = "fd00:6f::/126";

    [Fact]
    public void List_shows_every_pod_s_address_container_interface_pod_netns_and_age()
    {
        using var node = new OperabilityNode();
        PodSandbox first = node.AddPod();
        PodSandbox second = node.AddPod();

        using JsonDocument json = JsonDocument.Parse(Ipam(node, "list", "--json").StandardOutput);

        Assert.Equal(node.NetworkName, json.RootElement.GetProperty("network").GetString());
        JsonElement[] allocations = [.. json.RootElement.GetProperty("allocations").EnumerateArray()];
        Assert.Equal([first.ContainerId, second.ContainerId], allocations.Select(a => a.GetProperty("containerId").GetString()));
        foreach ((PodSandbox pod, JsonElement entry) in new[] { first, second }.Zip(allocations))
        {
            Assert.Equal(
                pod.GlobalAddresses().Select(a => a.Address.ToString()).Order(),
                entry.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).Order());
            Assert.Equal("eth0", entry.GetProperty("ifName").GetString());
            Assert.Equal("default", entry.GetProperty("podNamespace").GetString());
            Assert.Equal($"pod-{pod.ContainerId}", entry.GetProperty("podName").GetString());
            Assert.Equal(pod.Namespace.Path, entry.GetProperty("netns").GetString());
            Assert.Equal(NodeNaming.HostVeth(pod.ContainerId, "eth0"), entry.GetProperty("hostVeth").GetString());
            Assert.InRange(entry.GetProperty("ageSeconds").GetInt64(), 0, 600);
        }

        string[] table = Ipam(node, "list").StandardOutput.TrimEnd().Split('\n');
        Assert.Matches("^ADDRESS +CONTAINER ID +IFNAME +POD +NETNS +AGE$", table[0]);
        Assert.Matches($"^{Regex(first.Address(AddressFamily.InterNetworkV6))},{Regex(first.Address(AddressFamily.InterNetwork))} +{first.ContainerId} +eth0 +default/pod-{first.ContainerId} +{Regex(first.Namespace.Path)} +\\d+s$", table[1]);
        Assert.Equal(3, table.Length);
    }

    [Fact]
    public void Release_without_yes_refuses_and_changes_nothing()
    {
        using var node = new OperabilityNode();
        PodSandbox pod = node.AddPod();
        IPAddress address = pod.Address(AddressFamily.InterNetworkV6);

        ProcessResult refused = node.Namespace.Exec(RepoLayout.PluginBinary, ["ipam", "release", address.ToString(), "--conf-dir", node.ConfDir]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"would release {address}, {pod.Address(AddressFamily.InterNetwork)} of {pod.ContainerId}/eth0 (pod default/pod-{pod.ContainerId})", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("cniv6: not releasing without --yes", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains(pod.ContainerId, Ipam(node, "list").StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_by_address_frees_a_leaked_pod_s_addresses_and_the_next_ADD_can_take_them()
    {
        using var node = new OperabilityNode(TinyPool);
        PodSandbox[] pods = [node.AddPod(), node.AddPod(), node.AddPod()];
        PodSandbox full = node.Node.CreatePod();
        Assert.False(node.Node.Add(node.ConflistPath, full).Succeeded, "the pool should be exhausted by three pods");
        IPAddress freed = pods[1].Address(AddressFamily.InterNetworkV6);
        // A leak, as a runtime crash leaves it: the pod's namespace gone without DEL, its allocation still held.
        // (A live pod's address, once released, is not handed out again while its host route stands: ADD refuses
        // to take over an address routed to another interface.)
        pods[1].Dispose();
        WaitUntilNotRouted(node, freed);

        ProcessResult released = Ipam(node, "release", freed.ToString(), "--yes");

        Assert.Equal($"released {freed} of {pods[1].ContainerId}/eth0 (pod default/pod-{pods[1].ContainerId})\n", released.StandardOutput);
        Assert.DoesNotContain(pods[1].ContainerId, Ipam(node, "list").StandardOutput, StringComparison.Ordinal);
        PodSandbox next = node.Node.CreatePod();
        node.Node.Add(node.ConflistPath, next).EnsureSucceeded();
        Assert.Equal(freed, next.Address(AddressFamily.InterNetworkV6));
    }

    [Fact]
    public void Release_by_container_id_works_with_network_and_data_dir_alone()
    {
        using var node = new OperabilityNode();
        PodSandbox kept = node.AddPod();
        PodSandbox gone = node.AddPod();
        string[] store = ["--network", node.NetworkName, "--data-dir", node.Node.DataDir];

        ProcessResult released = node.Namespace.Exec(RepoLayout.PluginBinary, ["ipam", "release", gone.ContainerId, "--yes", .. store]);

        Assert.True(released.Succeeded, released.Describe());
        using JsonDocument json = JsonDocument.Parse(node.Namespace.ExecChecked(RepoLayout.PluginBinary, ["ipam", "list", "--json", .. store]));
        Assert.Equal([kept.ContainerId], json.RootElement.GetProperty("allocations").EnumerateArray().Select(a => a.GetProperty("containerId").GetString()));
    }

    [Theory]
    [InlineData("fd00:6f::99", "no allocation holds fd00:6f::99")]
    [InlineData("not/an-id", "'not/an-id' is neither an IP address nor a container ID")]
    public void Releasing_what_no_allocation_holds_fails_with_a_message(string target, string message)
    {
        using var node = new OperabilityNode();
        node.AddPod();

        ProcessResult result = node.Namespace.Exec(RepoLayout.PluginBinary, ["ipam", "release", target, "--yes", "--conf-dir", node.ConfDir]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }

    private static ProcessResult Ipam(OperabilityNode node, params string[] arguments)
    {
        ProcessResult result = node.Namespace.Exec(RepoLayout.PluginBinary, ["ipam", .. arguments, "--conf-dir", node.ConfDir]);
        Assert.True(result.Succeeded, result.Describe());
        return result;
    }

    private static string Regex(object value) => System.Text.RegularExpressions.Regex.Escape(value.ToString()!);

    /// <summary>The kernel removes a deleted namespace's veth pair (and so the host route) asynchronously.</summary>
    private static void WaitUntilNotRouted(OperabilityNode node, IPAddress address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (node.Namespace.Ip("-6", "route", "show", address + "/128").Trim().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{address} still routed 10 s after its pod's namespace was deleted");
            Thread.Sleep(50);
        }
    }
}
