using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Netlink;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>The agent on a host without Kubernetes: pools and peers from its configuration file.</summary>
public sealed class StaticSourceTests : IDisposable
{
    private readonly string _netns = $"cv6a-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-static";
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6a-static-").FullName;
    private AgentProcess? _agent;

    [Fact]
    public async Task Routes_peers_and_writes_the_conflist_from_the_config_file()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        Shell.Run("ip", "-n", _netns, "link", "set", "lo", "up");
        Shell.Run("ip", "-n", _netns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Shell.Run("ip", "-n", _netns, "addr", "add", "fd00:5a::1/64", "dev", "uplink", "nodad");
        Shell.Run("ip", "-n", _netns, "addr", "add", "10.98.0.1/24", "dev", "uplink");
        Shell.Run("ip", "-n", _netns, "link", "set", "uplink", "up");
        Shell.Run("ip", "-n", _netns, "link", "set", "peer", "up");
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "edge-1",
              "Source": "static",
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{_dir}}/ipam", "Portmap": false },
              "Health": { "Port": 9646 },
              "Static": {
                "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"],
                "Peers": [ { "Name": "edge-2", "Addresses": ["fd00:5a::2", "10.98.0.2"], "PodCidrs": ["fd00:10:244:2::/64", "10.244.2.0/24"] } ]
              }
            }
            """);

        _agent = AgentProcess.Start(_netns, ["--config", config, "--plugin-source", RequiredFiles.Plugin]);
        await WaitUntilReadyAsync();

        var routes = InNamespace.Routes(_netns, AddressFamily.InterNetworkV6).Concat(InNamespace.Routes(_netns, AddressFamily.InterNetwork))
                                .Where(r => r.Protocol == RouteProtocol.CniV6).ToArray();
        Assert.Contains(routes, r => r.Destination == IPNetwork.Parse("fd00:10:244:2::/64") && IPAddress.Parse("fd00:5a::2").Equals(r.Gateway));
        Assert.Contains(routes, r => r.Destination == IPNetwork.Parse("10.244.2.0/24") && IPAddress.Parse("10.98.0.2").Equals(r.Gateway));
        using var conflist = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, "net.d", "10-cniv6.conflist")));
        var plugin = Assert.Single(conflist.RootElement.GetProperty("plugins").EnumerateArray());
        Assert.Equal(["fd00:10:244:1::/64", "10.244.1.0/24"], plugin.GetProperty("ipam").GetProperty("pools").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(File.ReadAllBytes(RequiredFiles.Plugin), File.ReadAllBytes(Path.Combine(_dir, "bin", "cniv6")));
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = InNamespace.HttpClient(_netns);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_agent!.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("http://127.0.0.1:9646/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        Assert.Fail($"static agent not ready:\n{_agent!.Log}");
    }

    public void Dispose()
    {
        _agent?.Dispose();
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
        Directory.Delete(_dir, recursive: true);
    }
}
