using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Logging;

namespace CniV6.UnitTests.Cni;

/// <summary>Drives <see cref="CniDispatcher"/> with a fake environment, stdin and stdout, like skel_test.go does.</summary>
[SupportedOSPlatform("linux")]
internal sealed class DispatcherHarness
{
    public const string ValidConfig =
        """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00:10:244::/64","10.244.0.0/24"]}}""";

    public Dictionary<string, string> Environment { get; } = new()
    {
        ["CNI_COMMAND"] = "ADD",
        ["CNI_CONTAINERID"] = "3f2a9c1b7d",
        ["CNI_NETNS"] = "/var/run/netns/pod1",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = "/opt/cni/bin:/usr/lib/cni",
    };

    public FakeCniPlugin Plugin { get; } = new();

    public int PluginsCreated { get; private set; }

    public List<LogSettings> LogsOpened { get; } = [];

    public RecordingLoggerProvider Log { get; } = new();

    /// <summary>What the dispatcher recorded for the metrics, one per run.</summary>
    public List<CniV6.Core.Metrics.CniOperationRecord> Operations { get; } = [];

    public DispatcherOutcome Run(string stdin) => Run(Encoding.UTF8.GetBytes(stdin));

    public DispatcherOutcome Run(byte[] stdin)
    {
        using var input = new MemoryStream(stdin, writable: false);
        using var output = new MemoryStream();
        var dispatcher = new CniDispatcher(
            name => Environment.TryGetValue(name, out var value) ? value : null,
            input,
            output,
            settings =>
            {
                LogsOpened.Add(settings);
                return Log;
            },
            (_, _) =>
            {
                PluginsCreated++;
                return Plugin;
            },
            recordOperation: Operations.Add);
        var exitCode = dispatcher.Run();
        return new DispatcherOutcome(exitCode, Encoding.UTF8.GetString(output.ToArray()));
    }
}
