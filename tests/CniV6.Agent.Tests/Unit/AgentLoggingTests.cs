using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>
/// What the agent's log says about failures: one line per kind of failure with its message (no stack trace), not
/// one per retry; devices by name; the output format a person chose or a one-line refusal.
/// </summary>
public sealed class AgentLoggingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6l-logging-").FullName;
    private readonly ClusterStateStore _store = new();
    private readonly AgentHealth _health = new(TimeProvider.System);
    private readonly AgentMetrics _metrics = new();

    [Fact]
    public async Task A_sync_failing_again_and_again_is_one_warning_with_its_message_and_one_line_when_it_recovers()
    {
        var journal = new List<string>();
        var flaky = new JournalingController("routing", journal) { FailuresLeft = 3 };
        var log = new RecordingLogger<DataplaneReconciler>();
        _store.Publish(TestStates.Cluster(1, 1, 2), TimeProvider.System);
        using var reconciler = new DataplaneReconciler(
            new AgentOptions { NodeName = "n1", ResyncInterval = TimeSpan.FromMinutes(5) }, [flaky], new FakeRouteTable(),
            new PeerScreen(_metrics, new NoClusterEvents(), NullLogger<PeerScreen>.Instance), _store, _health, _metrics, TimeProvider.System, log)
        {
            StartupWait = TimeSpan.FromSeconds(20),
        };

        await reconciler.StartAsync(CancellationToken.None);
        await reconciler.StopAsync(CancellationToken.None);

        Assert.True(_health.IsReady);
        Assert.Equal(4, flaky.Seen.Count);
        var failed = Assert.Single(log.Events, e => e.Level >= LogLevel.Warning);
        Assert.Equal(201, failed.EventId);
        Assert.Contains("Sync failed in routing: routing failed on purpose", failed.Message, StringComparison.Ordinal);
        Assert.Null(failed.Exception);
        Assert.Equal("Sync succeeded again after 3 failed attempts", Assert.Single(log.Events, e => e.EventId == 215).Message);
    }

    [Fact]
    public void A_route_the_kernel_keeps_refusing_is_logged_once_by_device_name_and_again_only_after_it_worked()
    {
        var routes = new FakeRouteTable();
        var log = new RecordingLogger<HostGatewayMode>();
        var mode = new HostGatewayMode(routes, _metrics, log);
        var sync = Syncs.Of(TestStates.Cluster(1, 1, 2), links: routes);
        routes.Refuse.Add(IPNetwork.Parse("fd00:10:244:2::/64"));

        for (var pass = 0; pass < 5; pass++)
        {
            mode.Reconcile(sync);
        }

        var refused = Assert.Single(log.Events, e => e.EventId == 710);
        Assert.StartsWith("Could not add route fd00:10:244:2::/64 via fd00:a11::12 dev uplink0: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid argument", refused.Message, StringComparison.Ordinal);
        Assert.Null(refused.Exception);
        Assert.Contains(log.Events, e => e.EventId == 203 && e.Message == "Route 10.244.2.0/24 via 10.99.0.12 dev uplink0 installed");
        Assert.DoesNotContain(log.Events, e => e.Message.Contains('#', StringComparison.Ordinal));

        routes.Refuse.Clear();
        mode.Reconcile(sync);
        routes.Installed.RemoveAll(r => r.Destination == IPNetwork.Parse("fd00:10:244:2::/64"));
        routes.Refuse.Add(IPNetwork.Parse("fd00:10:244:2::/64"));
        mode.Reconcile(sync);

        Assert.Equal(2, log.Events.Count(e => e.EventId == 710));
    }

    [Fact]
    public void An_exception_logged_by_anyone_reaches_the_console_as_its_message_on_the_same_line()
    {
        var inner = new CapturingProvider();
        using var provider = new ExceptionAsTextLoggerProvider(inner);
        var logger = provider.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host");
        var failure = new InvalidOperationException("sync failed", new IOException("/etc/cni/net.d: Read-only file system"));

        logger.LogError(failure, "BackgroundService failed");
        logger.LogWarning(new EventId(7), "no exception here");

        Assert.Equal(
            [
                (LogLevel.Error, "BackgroundService failed: sync failed: /etc/cni/net.d: Read-only file system", false),
                (LogLevel.Warning, "no exception here", false),
            ],
            inner.Events);
    }

    [Theory]
    [InlineData(null, "Text")]
    [InlineData("text", "Text")]
    [InlineData("json", "Json")]
    [InlineData(" JSON ", "Json")]
    public void The_log_format_is_text_unless_json_is_asked_for(string? value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(AgentLogging.FormatKey, value)]).Build();

        Assert.Equal(expected, AgentLogging.ReadFormat(configuration).ToString());
    }

    [Fact]
    public void An_unknown_log_format_is_a_configuration_error_naming_the_choices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(AgentLogging.FormatKey, "xml")]).Build();

        var error = Assert.Throws<AgentConfigurationException>(() => AgentLogging.ReadFormat(configuration));

        Assert.Equal("Logging:Format must be \"text\" or \"json\", not \"xml\"", error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message, bool HadException)> Events { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Events.Add((logLevel, formatter(state, exception), exception is not null));
        }
    }
}
