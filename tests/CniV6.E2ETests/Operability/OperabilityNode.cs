using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.Core.NodeState;
using CniV6.E2ETests.Infrastructure;
using CniV6.Linux;

namespace CniV6.E2ETests.Operability;

/// <summary>
/// A healthy node for <c>cniv6 doctor</c> and <c>cniv6 ipam</c>: a throwaway node namespace (<c>cv6o-node-…</c>) with an uplink <c>eth0</c>
/// (MTU 1500) to a router namespace (<c>cv6o-rtr-…</c>, 2001:db8:c6::1 and 192.0.2.1) and default routes through it,
/// its own CNI conf dir holding only our conflist, a bin dir with the published cniv6, and a resolv.conf with an IPv6
/// resolver. Tests break one thing and run doctor inside the node namespace. Dispose removes all of it.
/// </summary>
internal sealed class OperabilityNode : IDisposable
{
    public const string Prefix = "cv6o-";
    public const string Uplink = "eth0";

    private readonly List<IDisposable> _owned = [];

    public OperabilityNode(params string[] pools)
    {
        Node = new E2ENode(Prefix);
        try
        {
            Router = new NetworkNamespace("rtr", Prefix);
            _owned.Add(Router);
            NetworkName = "cv6o-net";
            Pools = pools.Length > 0 ? pools : ["fd00:6f::/64", "10.111.0.0/24"];
            ConfDir = Path.Combine(Node.WorkDir, "net.d");
            BinDir = Path.Combine(Node.WorkDir, "bin");
            ResolvConf = Path.Combine(Node.WorkDir, "resolv.conf");
            RunDir = Path.Combine(Node.WorkDir, "run");
            Directory.CreateDirectory(ConfDir);
            Directory.CreateDirectory(BinDir);
            File.CreateSymbolicLink(Path.Combine(BinDir, "cniv6"), RepoLayout.PluginBinary);
            File.WriteAllText(ResolvConf, "nameserver 2001:4860:4860::8888\nnameserver 8.8.8.8\n");
            ConflistPath = WriteConflist("10-cniv6.conflist");
            ConnectUplink();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public E2ENode Node { get; }

    public NetworkNamespace Router { get; }

    public NetworkNamespace Namespace => Node.Namespace;

    public string NetworkName { get; }

    public IReadOnlyList<string> Pools { get; }

    public string ConfDir { get; }

    public string BinDir { get; }

    public string ResolvConf { get; }

    public string ConflistPath { get; }

    /// <summary>The run directory doctor reads cniv6-agent's records from (<c>--run-dir</c>); empty: no agent on this node.</summary>
    public string RunDir { get; }

    /// <summary>Where an agent in the node namespace keeps its records (keyed by the namespace's cookie, as the agent's are).</summary>
    public NodeStateFiles AgentRecords => NetNamespace.Run(Namespace.Path, () => NodeStateFiles.ForCurrentNamespace(RunDir));

    /// <summary>Writes our conflist (cniv6 with the node's pools, MTU 1500, then <paramref name="chained"/>) into the conf dir.</summary>
    public string WriteConflist(string fileName, params JsonObject[] chained)
    {
        JsonObject list = ConfLists.List(NetworkName, "1.0.0", [ConfLists.CniV6(Node, [.. Pools]), .. chained]);
        list["cniVersions"] = new JsonArray("1.0.0", "1.1.0");
        string path = Path.Combine(ConfDir, fileName);
        File.WriteAllText(path, list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>A pod ADDed through libcni with our conflist; fails the test when the ADD fails.</summary>
    public PodSandbox AddPod()
    {
        PodSandbox pod = Node.CreatePod();
        Node.Add(ConflistPath, pod).EnsureSucceeded();
        return pod;
    }

    /// <summary>The options that point doctor and ipam at this node's files.</summary>
    public string[] Options => ["--conf-dir", ConfDir, "--bin-dir", BinDir, "--resolv-conf", ResolvConf, "--run-dir", RunDir];

    /// <summary>Runs <c>cniv6 doctor --json</c> inside the node namespace.</summary>
    public DoctorRun Doctor()
    {
        ProcessResult result = Namespace.Exec(RepoLayout.PluginBinary, ["doctor", "--json", .. Options]);
        return DoctorRun.Parse(result);
    }

    /// <summary>Runs a fix command as doctor printed it, with a shell, inside the node namespace (<c>cniv6</c> is the published binary).</summary>
    public ProcessResult RunFix(string command) =>
        Namespace.Exec("sh", "-c", command.StartsWith("cniv6 ", StringComparison.Ordinal) ? RepoLayout.PluginBinary + command["cniv6".Length..] : command);

    public string Sysctl(string key, string value) => Namespace.ExecChecked("sysctl", "-w", $"{key}={value}");

    public void Dispose()
    {
        Node.Dispose();
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }

    private void ConnectUplink()
    {
        Namespace.Ip("link", "add", Uplink, "mtu", "1500", "type", "veth", "peer", "name", "eth0", "netns", Router.Name);
        Router.Ip("link", "set", "eth0", "up");
        Router.Ip("addr", "add", "2001:db8:c6::1/64", "dev", "eth0", "nodad");
        Router.Ip("addr", "add", "192.0.2.1/24", "dev", "eth0");
        Namespace.Ip("link", "set", Uplink, "up");
        Namespace.Ip("addr", "add", "2001:db8:c6::2/64", "dev", Uplink, "nodad");
        Namespace.Ip("addr", "add", "192.0.2.2/24", "dev", Uplink);
        Namespace.Ip("-6", "route", "add", "default", "via", "2001:db8:c6::1", "dev", Uplink);
        Namespace.Ip("-4", "route", "add", "default", "via", "192.0.2.1", "dev", Uplink);
    }
}
