using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Hostile;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Reliability;

/// <summary>
/// Invocations that overlap: an ADD that returns success has its veth and its allocation in place when it returns,
/// whatever ran beside it (docs/DESIGN.md "Pod wiring", attachment locks).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RaceTests
{
    /// <summary>The masquerade step's node-wide lock (IptablesMasqueradeBackend): holding it parks an ADD after wiring.</summary>
    private const string MasqueradeLock = "/run/cniv6/masquerade/lock";

    [Fact]
    public async Task Two_ADDs_of_one_attachment_at_once_both_succeed_with_one_result_and_leave_it_wired()
    {
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);
        Dictionary<string, string> environment = CniEnvironment.ForAttachment("ADD", setup.Pod);
        string stdin = setup.Config.ToJsonString();

        for (int round = 0; round < 3; round++)
        {
            using var start = new Barrier(2);
            Task<ProcessResult>[] adds = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return node.InvokePlugin(environment, stdin);
            }))];
            ProcessResult[] results = await Task.WhenAll(adds);

            foreach (ProcessResult add in results)
            {
                Assert.True(add.Succeeded, $"round {round}: {add.Describe()}\n{node.PluginLogTail()}");
            }

            Assert.Equal(Addresses(results[0]), Addresses(results[1]));
            AssertWired(node, setup, Addresses(results[0]));
        }
    }

    [Fact]
    public async Task GC_while_an_ADD_is_in_flight_keeps_what_that_ADD_set_up()
    {
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);
        ProcessResult add;
        CniV6.Linux.PosixDirectory.EnsureTree(Path.GetDirectoryName(MasqueradeLock)!, (UnixFileMode)0x1C0);
        using (var masquerade = CniV6.Linux.FileLock.Acquire(MasqueradeLock, TimeSpan.FromSeconds(30)))
        {
            // The ADD reserves, wires pod and node, then waits for the masquerade lock we hold.
            Task<ProcessResult> inFlight = Task.Run(() => node.InvokePlugin(CniEnvironment.ForAttachment("ADD", setup.Pod), setup.Config.ToJsonString()));
            string hostVeth = NodeNaming.HostVeth(setup.Pod.ContainerId, setup.Pod.IfName);
            var waited = Stopwatch.StartNew();
            while (!node.LinkNames().Contains(hostVeth) && waited.Elapsed < TimeSpan.FromSeconds(20) && !inFlight.IsCompleted)
            {
                await Task.Delay(20);
            }

            Assert.Contains(hostVeth, node.LinkNames());

            // The runtime's GC does not know the attachment yet (its ADD has not returned).
            JsonObject gc = (JsonObject)setup.Config.DeepClone();
            gc["cni.dev/valid-attachments"] = new JsonArray();
            ProcessResult collected = node.InvokePlugin(CniEnvironment.ForCommand("GC"), gc.ToJsonString());
            Assert.True(collected.Succeeded, collected.Describe() + "\n" + node.PluginLogTail());
            Assert.False(inFlight.IsCompleted, "the ADD should still be waiting for the masquerade lock");

            masquerade.Dispose();
            add = await inFlight;
        }

        Assert.True(add.Succeeded, add.Describe() + "\n" + node.PluginLogTail());
        AssertWired(node, setup, Addresses(add));
    }

    private static string[] Addresses(ProcessResult add)
    {
        using JsonDocument result = JsonDocument.Parse(add.StandardOutput);
        return [.. result.RootElement.GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("address").GetString()!.Split('/')[0]).Order(StringComparer.Ordinal)];
    }

    /// <summary>The host veth, the pod's addresses and the IPAM allocation are all in place and agree.</summary>
    private static void AssertWired(E2ENode node, HostileSetup setup, string[] addresses)
    {
        Assert.Contains(NodeNaming.HostVeth(setup.Pod.ContainerId, setup.Pod.IfName), node.LinkNames());
        Assert.Equal(addresses, setup.Pod.GlobalAddresses().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal));
        using JsonDocument record = JsonDocument.Parse(File.ReadAllText(setup.RecordPath(setup.Pod)));
        JsonElement allocation = record.RootElement;
        Assert.Equal(addresses, allocation.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).Order(StringComparer.Ordinal));
    }
}
