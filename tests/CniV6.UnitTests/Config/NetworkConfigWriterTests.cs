using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.Core.Config;
using Microsoft.Extensions.Logging;

namespace CniV6.UnitTests.Config;

public sealed class NetworkConfigWriterTests
{
    [Fact]
    public void Every_field_written_is_read_back_unchanged()
    {
        var written = new NetworkConfig
        {
            Name = "pods",
            CniVersion = "1.1.0",
            Type = NetworkConfig.PluginType,
            Mtu = 1450,
            IpMasq = false,
            MasqueradeExclude = [IPNetwork.Parse("fd00:10:96::/112"), IPNetwork.Parse("10.96.0.0/12")],
            LogFile = "/run/cv6c/plugin.log",
            LogLevel = LogLevel.Warning,
            LogFileMaxBytes = 1 << 20,
            LogFileMaxFiles = 9,
            DisableGc = true,
            NatBackend = CniV6.Core.Nat.NatBackendPreference.Iptables,
            Ipam = new IpamConfig { Pools = [IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")], DataDir = "/var/lib/cv6c" },
        };

        var read = RoundTrip(written);

        Assert.Equal(written.Name, read.Name);
        Assert.Equal(written.CniVersion, read.CniVersion);
        Assert.Equal(written.Type, read.Type);
        Assert.Equal(written.Mtu, read.Mtu);
        Assert.Equal(written.IpMasq, read.IpMasq);
        Assert.Equal(written.MasqueradeExclude, read.MasqueradeExclude);
        Assert.Equal(written.LogFile, read.LogFile);
        Assert.Equal(written.LogLevel, read.LogLevel);
        Assert.Equal((written.LogFileMaxBytes, written.LogFileMaxFiles), (read.LogFileMaxBytes, read.LogFileMaxFiles));
        Assert.Equal(written.DisableGc, read.DisableGc);
        Assert.Equal(written.NatBackend, read.NatBackend);
        Assert.Equal(written.Ipam.Type, read.Ipam.Type);
        Assert.Equal(written.Ipam.Pools, read.Ipam.Pools);
        Assert.Equal(written.Ipam.DataDir, read.Ipam.DataDir);
    }

    [Theory]
    [InlineData(LogLevel.Trace)]
    [InlineData(LogLevel.Debug)]
    [InlineData(LogLevel.Information)]
    [InlineData(LogLevel.Warning)]
    [InlineData(LogLevel.Error)]
    [InlineData(LogLevel.Critical)]
    [InlineData(LogLevel.None)]
    public void Every_log_level_round_trips(LogLevel level)
    {
        Assert.Equal(level, RoundTrip(Minimal(level)).LogLevel);
    }

    [Fact]
    public void Defaults_are_left_out()
    {
        using var plugin = JsonDocument.Parse(WritePlugin(Minimal()));
        var names = plugin.RootElement.EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(["type", "ipMasq", "masqueradeExclude", "ipam"], names);
        Assert.Equal(["type", "pools", "dataDir"], plugin.RootElement.GetProperty("ipam").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_delegated_ipam_section_goes_out_as_it_came_in()
    {
        using var raw = JsonDocument.Parse("""{"type":"host-local","ranges":[[{"subnet":"10.1.2.0/24"}]]}""");
        var read = RoundTrip(Minimal(ipam: new IpamConfig { Type = "host-local", Raw = raw.RootElement.Clone() }));

        Assert.Equal("host-local", read.Ipam.Type);
        Assert.Equal("10.1.2.0/24", read.Ipam.Raw!.Value.GetProperty("ranges")[0][0].GetProperty("subnet").GetString());
    }

    private static NetworkConfig Minimal(LogLevel logLevel = LogLevel.Information, IpamConfig? ipam = null) => new()
    {
        Name = "pods",
        CniVersion = "1.0.0",
        Type = NetworkConfig.PluginType,
        LogLevel = logLevel,
        Ipam = ipam ?? new IpamConfig { Pools = [IPNetwork.Parse("fd00::/64")] },
    };

    private static byte[] WritePlugin(NetworkConfig config)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            NetworkConfigWriter.WritePlugin(json, config);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the plugin entry, adds name and cniVersion as a runtime does, and parses it as the plugin does.</summary>
    private static NetworkConfig RoundTrip(NetworkConfig config)
    {
        var stdin = JsonNode.Parse(WritePlugin(config))!.AsObject();
        stdin["name"] = config.Name;
        stdin["cniVersion"] = config.CniVersion;
        return NetworkConfigParser.Parse(Encoding.UTF8.GetBytes(stdin.ToJsonString()), CniCommand.Add);
    }
}
