using System.Diagnostics;
using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Operability;

/// <summary>radvd in the router namespace of a <see cref="OperabilityNode"/>, advertising itself as the default router on the uplink.</summary>
internal sealed class Radvd : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private Radvd(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public static Radvd Start(OperabilityNode node)
    {
        string directory = Path.Combine(node.Node.WorkDir, "radvd");
        Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "radvd.conf");
        File.WriteAllText(config, """
            interface eth0 {
                AdvSendAdvert on;
                MinRtrAdvInterval 3;
                MaxRtrAdvInterval 4;
                AdvDefaultLifetime 600;
                prefix 2001:db8:c6::/64 { AdvOnLink on; AdvAutonomous off; };
            };
            """);
        node.Router.ExecChecked("sysctl", "-w", "net.ipv6.conf.all.forwarding=1");
        Process process = ProcessRunner.Start("ip",
            ["netns", "exec", node.Router.Name, "radvd", "--nodaemon", "--config", config, "--pidfile", Path.Combine(directory, "radvd.pid"), "--logmethod", "stderr"]);
        return new Radvd(process, directory);
    }

    /// <summary>Waits until the node has an IPv6 default route learned from an RA (proto ra) on its uplink.</summary>
    public static void WaitForRaDefaultRoute(OperabilityNode node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using JsonDocument routes = JsonDocument.Parse(node.Namespace.Ip("-6", "-j", "route", "show", "default"));
            if (routes.RootElement.EnumerateArray().Any(r => r.TryGetProperty("protocol", out JsonElement p) && p.GetString() == "ra"))
            {
                return;
            }

            Thread.Sleep(500);
        }

        Assert.Fail("no RA-learned default route on the node within 30 s: " + node.Namespace.Ip("-6", "route", "show"));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Removed with the node's work dir anyway.
            }
        }
    }
}
