using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>
/// A throwaway Kubernetes "node": its own network namespace (<c>cv6e-node-…</c>) in which the libcni
/// driver — and so the plugin — runs, pod sandboxes attached to it, and a temp dir for IPAM state,
/// the plugin log and libcni's result cache. Dispose removes all of it, whatever the test did.
/// </summary>
internal sealed class E2ENode : IDisposable
{
    private readonly List<PodSandbox> pods = [];
    private int conflistCount;

    /// <param name="namespacePrefix">Prefix of the node's and its pods' namespaces (and of the work dir).</param>
    public E2ENode(string namespacePrefix = NetworkNamespace.Prefix)
    {
        RootRequirement.Ensure();
        NamespacePrefix = namespacePrefix;
        WorkDir = Directory.CreateTempSubdirectory(namespacePrefix).FullName;
        try
        {
            Namespace = new NetworkNamespace("node", namespacePrefix);
        }
        catch
        {
            Directory.Delete(WorkDir, recursive: true);
            throw;
        }
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>Prefix of every namespace this node creates.</summary>
    public string NamespacePrefix { get; }

    /// <summary>Scratch directory of this node (deleted on Dispose).</summary>
    public string WorkDir { get; }

    /// <summary>IPAM dataDir for the cniv6 plugin.</summary>
    public string DataDir => Path.Combine(WorkDir, "ipam");

    /// <summary>The plugin's logFile.</summary>
    public string LogFile => Path.Combine(WorkDir, "cniv6.log");

    /// <summary>libcni's cache (ADD results that CHECK and DEL replay as prevResult).</summary>
    public string CacheDir => Path.Combine(WorkDir, "libcni");

    /// <summary>A new pod sandbox, removed with the node.</summary>
    public PodSandbox CreatePod()
    {
        var pod = new PodSandbox(NamespacePrefix);
        pods.Add(pod);
        return pod;
    }

    /// <summary>Writes a configuration (list) to a file in the work dir and returns its path.</summary>
    public string WriteConfig(JsonObject config)
    {
        string path = Path.Combine(WorkDir, $"net-{++conflistCount}.conflist");
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public DriverOutcome Add(string conflist, PodSandbox pod, params string[] extraArguments) =>
        Drive("add", conflist, pod.ContainerId, pod.Namespace.Path, pod.IfName, extraArguments);

    public DriverOutcome Check(string conflist, PodSandbox pod) =>
        Drive("check", conflist, pod.ContainerId, pod.Namespace.Path, pod.IfName, []);

    public DriverOutcome Del(string conflist, PodSandbox pod) =>
        Drive("del", conflist, pod.ContainerId, pod.Namespace.Exists ? pod.Namespace.Path : "", pod.IfName, []);

    /// <summary>
    /// Runs one libcni operation with the driver inside the node namespace, so the plugin's host side
    /// (veths, routes, nat rules, sysctls) lands in the throwaway node and never on the real host.
    /// </summary>
    public DriverOutcome Drive(string op, string conflist, string containerId, string netns, string ifName, string[] extraArguments)
    {
        ProcessResult result = ProcessRunner.Run("ip",
        [
            "netns", "exec", Namespace.Name, RepoLayout.DriverBinary,
            "-op", op, "-conflist", conflist, "-bin", RepoLayout.PluginPath,
            "-containerid", containerId, "-netns", netns, "-ifname", ifName,
            "-cachedir", CacheDir, .. extraArguments,
        ]);
        return new DriverOutcome(result, PluginLogTail());
    }

    /// <summary>Runs the plugin binary itself in the node namespace, as a runtime does: env vars + stdin.</summary>
    public ProcessResult InvokePlugin(IReadOnlyDictionary<string, string> environment, string stdin) =>
        ProcessRunner.Run("ip", ["netns", "exec", Namespace.Name, RepoLayout.PluginBinary], stdin, environment);

    /// <summary>The last lines of the plugin log (empty when it has not written one).</summary>
    public string PluginLogTail(int lines = 40) =>
        File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(lines)) : "";

    /// <summary>Names of the links in the node namespace.</summary>
    public IReadOnlyList<string> LinkNames()
    {
        using JsonDocument doc = JsonDocument.Parse(Namespace.Ip("-j", "link", "show"));
        return doc.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).ToList();
    }

    /// <summary>
    /// Gives the node an address of its own (on loopback, like a node IP that is not on any pod link):
    /// pods reach it only through their default route via the gateway.
    /// </summary>
    public void AddNodeAddress(IPAddress address) =>
        Namespace.Ip("addr", "add", $"{address}/{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}", "dev", "lo");

    /// <summary>The node's nat table as ip6tables-save / iptables-save print it.</summary>
    public string NatTable(bool ipv6) => Namespace.ExecChecked(ipv6 ? "ip6tables-save" : "iptables-save", "-t", "nat");

    public void Dispose()
    {
        // Pods first: their veth ends go with them; then the node with every host-side veth, route and rule.
        foreach (PodSandbox pod in pods)
        {
            pod.Dispose();
        }

        Namespace.Dispose();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // A plugin still holding a file would be a bug the tests already report; the temp dir is harmless.
        }
    }
}
