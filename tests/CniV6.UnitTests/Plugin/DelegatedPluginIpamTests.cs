using System.Runtime.Versioning;
using System.Text;
using CniV6.Core.Config;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;
using CniV6.UnitTests.Cni;

namespace CniV6.UnitTests.Plugin;

/// <summary>The delegated IPAM seam with a bash script as the IPAM plugin, which logs the commands it is given.</summary>
[SupportedOSPlatform("linux")]
public sealed class DelegatedPluginIpamTests : IDisposable
{
    private const string Config =
        """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"type":"fake-ipam","ranges":[[{"subnet":"10.1.2.0/24"}]]}}""";

    private readonly TempDirectory bin = new();

    public DelegatedPluginIpamTests() =>
        bin.WriteScript("fake-ipam", $$"""
            echo "$CNI_COMMAND" >> '{{bin.Combine("commands.log")}}'
            if [ "$CNI_COMMAND" = ADD ]; then
              printf '%s' '{"cniVersion":"1.1.0","ips":[{"address":"10.1.2.5/24"}]}'
            fi
            """);

    public void Dispose() => bin.Dispose();

    [Fact]
    public void Every_operation_is_the_delegate_s_command_and_its_subnet_is_the_pool()
    {
        var ipam = new DelegatedPluginIpam();

        var reserved = ipam.Reserve(Request(CniCommand.Add));
        Assert.Empty(ipam.Check(Request(CniCommand.Check), reserved.Addresses.ToHashSet()));
        ipam.Status(Request(CniCommand.Status));
        ipam.Release(Request(CniCommand.Del));

        Assert.Equal(["10.1.2.0/24"], reserved.Pools.Select(p => p.ToString()));
        Assert.Empty(ipam.ConfiguredPools);
        Assert.Equal(["ADD", "CHECK", "STATUS", "DEL"], Commands());
    }

    [Fact]
    public void GC_sweeps_our_links_before_the_delegate_collects_its_garbage()
    {
        var ipam = new DelegatedPluginIpam();

        var released = ipam.CollectGarbage(Request(CniCommand.Gc), () =>
        {
            File.AppendAllText(bin.Combine("commands.log"), "sweep\n");
            return new HashSet<(string, string)>();
        });

        Assert.Empty(released);
        Assert.Equal(["sweep", "GC"], Commands());
    }

    private string[] Commands() => File.ReadAllLines(bin.Combine("commands.log"));

    private CniRequest Request(string command)
    {
        var stdin = Encoding.UTF8.GetBytes(Config);
        return new CniRequest(command, "c0ffee", "/var/run/netns/pod1", "eth0", [], [bin.Path], NetworkConfigParser.Parse(stdin, command), stdin);
    }
}
