using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>A pod as the runtime sees it: a sandbox network namespace, a container id and CNI_IFNAME.</summary>
internal sealed class PodSandbox : IDisposable
{
    public PodSandbox(string namespacePrefix = NetworkNamespace.Prefix)
    {
        Namespace = new NetworkNamespace("pod", namespacePrefix);
        ContainerId = "cv6e" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    }

    public NetworkNamespace Namespace { get; }

    public string ContainerId { get; }

    public string IfName => "eth0";

    /// <summary>Global-scope (non link-local) addresses on the pod interface (none when it does not exist).</summary>
    public IReadOnlyList<InterfaceAddress> GlobalAddresses() =>
        InterfaceAddress.ParseIpJson(Namespace.Ip("-j", "addr", "show"), IfName)
            .Where(a => a.Scope == "global")
            .ToList();

    /// <summary>The pod's global address of one family (fails the test if there is not exactly one).</summary>
    public IPAddress Address(AddressFamily family) =>
        GlobalAddresses().Single(a => a.Address.AddressFamily == family).Address;

    /// <summary>Default routes of one family inside the pod, as (gateway, device) pairs.</summary>
    public IReadOnlyList<(string? Gateway, string? Device)> DefaultRoutes(AddressFamily family)
    {
        string json = Namespace.Ip(family == AddressFamily.InterNetworkV6 ? "-6" : "-4", "-j", "route", "show", "default");
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .Select(r => (
                r.TryGetProperty("gateway", out JsonElement gw) ? gw.GetString() : null,
                r.TryGetProperty("dev", out JsonElement dev) ? dev.GetString() : null))
            .ToList();
    }

    /// <summary>
    /// True while the pod's interface exists and has carrier (its veth peer is up). DEL leaves it without: either
    /// gone, or down at the node's end until the runtime deletes the namespace.
    /// </summary>
    public bool InterfaceHasCarrier()
    {
        ProcessResult link = Namespace.Exec("ip", "link", "show", IfName);
        return link.Succeeded && link.StandardOutput.Contains("LOWER_UP", StringComparison.Ordinal);
    }

    /// <summary>One echo request, one second to answer: proves the path works on the first packet.</summary>
    public ProcessResult PingOnce(IPAddress destination)
    {
        string family = destination.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";
        return destination.IsIPv6LinkLocal
            ? Namespace.Exec("ping", family, "-n", "-c", "1", "-W", "1", "-I", IfName, destination.ToString())
            : Namespace.Exec("ping", family, "-n", "-c", "1", "-W", "1", destination.ToString());
    }

    public void Dispose() => Namespace.Dispose();
}
