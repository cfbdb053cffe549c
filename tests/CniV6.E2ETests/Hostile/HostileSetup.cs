using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// One hostile invocation being prepared: the node, an attached "bystander" pod whose wiring must survive, the pod
/// the invocation targets, the plugin configuration and the environment. Setup lambdas change any of it and
/// register undo actions (unmounts, chattr) that run even when the test fails.
/// </summary>
internal sealed class HostileSetup(E2ENode node) : IDisposable
{
    public const string NetworkName = "hostile";

    private readonly Stack<Action> undo = new();

    public E2ENode Node { get; } = node;

    /// <summary>The pod the hostile invocation is about (not attached unless a setup attaches it).</summary>
    public PodSandbox Pod { get; } = node.CreatePod();

    /// <summary>A pod attached with <see cref="Config"/> before the snapshot: proof that a failure leaves others alone.</summary>
    public PodSandbox Bystander { get; } = node.CreatePod();

    /// <summary>The plugin configuration: dual-stack, masquerading, state and log in the node's temp dir.</summary>
    public JsonObject Config { get; } = DefaultConfig(node);

    /// <summary>CNI_* variables of the hostile invocation (set from the case's command before Arrange runs).</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>Raw stdin of the hostile invocation; null means <see cref="Config"/> as JSON.</summary>
    public string? Stdin { get; set; }

    /// <summary>See <see cref="HostSnapshot.Take"/>: set by cases whose ADD fails after reserving addresses.</summary>
    public bool IgnoreStoreCursors { get; set; }

    public string DataDir => Config["ipam"]!["dataDir"]!.GetValue<string>();

    public string StatePath => Path.Combine(DataDir, NetworkName, "state.json");

    /// <summary>The IPAM store's record of one pod's attachment.</summary>
    public string RecordPath(PodSandbox pod) => Path.Combine(DataDir, NetworkName, "attachments", pod.ContainerId + "=" + pod.IfName);

    public IEnumerable<PodSandbox> Pods => [Bystander, Pod];

    public static JsonObject DefaultConfig(E2ENode node, params string[] pools)
    {
        JsonObject config = ConfLists.CniV6(node, pools.Length > 0 ? pools : [Pools.IPv6, Pools.IPv4]);
        config["cniVersion"] = "1.1.0";
        config["name"] = NetworkName;
        return config;
    }

    /// <summary>Sets one pool list (and nothing else) in the configuration.</summary>
    public void SetPools(params string[] pools) =>
        Config["ipam"]!["pools"] = new JsonArray(pools.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());

    /// <summary>The configuration with one top-level field replaced (or removed when <paramref name="value"/> is null).</summary>
    public string ConfigWith(string field, JsonNode? value)
    {
        var copy = (JsonObject)Config.DeepClone();
        if (value is null)
        {
            copy.Remove(field);
        }
        else
        {
            copy[field] = value;
        }

        return copy.ToJsonString();
    }

    /// <summary>ADD of <paramref name="pod"/> with the current configuration; fails the test when it does not succeed.</summary>
    public void Attach(PodSandbox pod)
    {
        ProcessResult add = Node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), Config.ToJsonString());
        Assert.True(add.Succeeded, "setup ADD failed: " + add.Describe() + "\n" + Node.PluginLogTail());
    }

    /// <summary>Runs <paramref name="command"/> now and registers <paramref name="undoCommand"/> for cleanup.</summary>
    public void Run(string[] command, string[] undoCommand)
    {
        ProcessRunner.RunChecked(command[0], command[1..]);
        undo.Push(() => ProcessRunner.Run(undoCommand[0], undoCommand[1..]));
    }

    public void Dispose()
    {
        while (undo.TryPop(out Action? action))
        {
            action();
        }
    }
}
