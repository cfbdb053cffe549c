using System.Net;
using System.Net.Sockets;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The upstream resolvers CoreDNS inherits from the node (dnsPolicy Default reads the node's resolv.conf). In a
/// cluster whose pools are IPv6-only, a pod cannot reach an IPv4 resolver, so when every upstream is IPv4 all
/// external names fail to resolve (the CAPZ/Azure DNS trap); a loopback resolver (systemd-resolved's 127.0.0.53)
/// is the node's own and unreachable from any pod.
/// </summary>
internal sealed class DnsResolverCheck : IDoctorCheck
{
    public string Name => "dns";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        string text;
        try
        {
            text = File.ReadAllText(context.ResolvConf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [DoctorFinding.Warn(Name, $"{context.ResolvConf} cannot be read: {e.Message}", $"check the kubelet's --resolv-conf and {context.ResolvConf}")];
        }

        return Evaluate(context.ResolvConf, Nameservers(text), context.Pools);
    }

    /// <summary>The <c>nameserver</c> addresses of a resolv.conf, in order (unparsable entries skipped, as glibc does).</summary>
    internal static IReadOnlyList<IPAddress> Nameservers(string resolvConf) =>
        [.. resolvConf.Split('\n')
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length >= 2 && words[0] == "nameserver")
            .Select(words => IPAddress.TryParse(words[1], out var address) ? address : null)
            .OfType<IPAddress>()];

    internal static IEnumerable<DoctorFinding> Evaluate(string path, IReadOnlyList<IPAddress> nameservers, IReadOnlyList<IPNetwork> pools)
    {
        const string check = "dns";
        var list = string.Join(", ", nameservers);
        if (nameservers.Count == 0)
        {
            yield return DoctorFinding.Warn(check, $"{path} lists no nameserver: pods with dnsPolicy Default (CoreDNS) resolve nothing",
                $"add a nameserver to {path} (or point the kubelet's --resolv-conf at a file that has one)");
            yield break;
        }

        var loopback = nameservers.Where(IPAddress.IsLoopback).ToList();
        var reachable = nameservers.Where(a => !IPAddress.IsLoopback(a)).ToList();
        if (loopback.Count > 0)
        {
            yield return DoctorFinding.Warn(check,
                $"{path} lists loopback resolver(s) {string.Join(", ", loopback)}: pods cannot reach the node's loopback",
                loopback.Any(a => a.ToString() == "127.0.0.53")
                    ? "kubelet --resolv-conf=/run/systemd/resolve/resolv.conf (the real upstreams of systemd-resolved)"
                    : $"list the real upstream resolvers in {path}, or set the kubelet's --resolv-conf to a file that does");
        }

        var ipv6Only = pools.Count > 0 && pools.All(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
        if (ipv6Only && reachable.Count > 0 && reachable.All(a => a.AddressFamily == AddressFamily.InterNetwork))
        {
            yield return DoctorFinding.Warn(check,
                $"pools are IPv6-only but every resolver in {path} is IPv4 ({string.Join(", ", reachable)}): CoreDNS cannot reach its upstreams",
                $"give {path} an IPv6 resolver (e.g. nameserver 2001:4860:4860::8888), or make CoreDNS forward to one: kubectl -n kube-system edit configmap coredns (forward . <IPv6 resolver>), or provide DNS64/NAT64");
        }
        else if (loopback.Count == 0)
        {
            yield return DoctorFinding.Ok(check, $"resolvers {list} reachable from the pools' families");
        }
    }
}
