using System.Text.Json;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The agent never writes a conflist that chains a plugin missing from the CNI bin dir: without portmap anywhere it
/// leaves portmap out and says why, and a pod still gets its network through libcni; with a reference dir holding
/// portmap it installs it (and loopback) into the bin dir and chains it, and the list works through libcni.
/// </summary>
public sealed class ReferencePluginTests : IDisposable
{
    private const string ReferenceDir = "/usr/lib/cni";

    private readonly StaticAgentNode _node = new("cv6i");

    [Fact]
    public async Task Without_portmap_the_conflist_leaves_it_out_says_why_and_pods_still_get_network()
    {
        _node.CreateNode();
        _node.WriteConfig("cv6i-net", """, "ReferencePluginDirs": "" """);
        await _node.StartAgentAsync();
        var pod = _node.CreatePodNamespace("p1");

        var add = _node.Drive("add", pod);
        var del = _node.Drive("del", pod);

        Assert.Equal(["cniv6"], PluginTypes());
        Assert.False(File.Exists(Path.Combine(_node.BinDir, "portmap")));
        Assert.Contains("portmap is left out of the conflist", _node.Agent!.Log, StringComparison.Ordinal);
        Assert.Contains("has no executable portmap", _node.Agent.Log, StringComparison.Ordinal);
        Assert.True(add.ExitCode == 0, $"ADD with only the bin dir on the path: {add.Error} {add.Output}");
        Assert.True(del.ExitCode == 0, $"DEL: {del.Error} {del.Output}");
    }

    [Fact]
    public async Task With_a_reference_dir_portmap_and_loopback_are_installed_recorded_and_portmap_chained()
    {
        Assert.True(File.Exists(Path.Combine(ReferenceDir, "portmap")), $"{ReferenceDir}/portmap (containernetworking-plugins) is needed");
        _node.CreateNode();
        _node.WriteConfig("cv6i-net", $$""", "ReferencePluginDirs": ["{{_node.Dir}}/empty", "{{ReferenceDir}}"] """);
        await _node.StartAgentAsync();
        var pod = _node.CreatePodNamespace("p1");

        // libcni gets only the agent's bin dir: the chained portmap must be the one the agent installed there.
        var add = _node.Drive("add", pod);
        var del = _node.Drive("del", pod);

        Assert.Equal(["cniv6", "portmap"], PluginTypes());
        Assert.Equal(File.ReadAllBytes(Path.Combine(ReferenceDir, "portmap")), File.ReadAllBytes(Path.Combine(_node.BinDir, "portmap")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(ReferenceDir, "loopback")), File.ReadAllBytes(Path.Combine(_node.BinDir, "loopback")));
        Assert.Equal("portmap\nloopback\n", File.ReadAllText(Path.Combine(_node.IpamDir, ".installed-plugins")));
        Assert.Contains($"Installed the reference plugin portmap from {ReferenceDir}/portmap", _node.Agent!.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("left out of the conflist", _node.Agent.Log, StringComparison.Ordinal);
        Assert.True(add.ExitCode == 0, $"ADD through cniv6 and portmap: {add.Error} {add.Output}");
        Assert.True(del.ExitCode == 0, $"DEL: {del.Error} {del.Output}");
    }

    private string[] PluginTypes()
    {
        using var conflist = JsonDocument.Parse(File.ReadAllBytes(_node.ConflistPath));
        return [.. conflist.RootElement.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("type").GetString()!)];
    }

    public void Dispose() => _node.Dispose();
}
