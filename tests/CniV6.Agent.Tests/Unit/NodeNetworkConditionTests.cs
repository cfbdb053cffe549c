using System.Net;
using System.Text.Json;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>
/// NetworkUnavailable=False on the agent's own Node once the dataplane is ready, through the agent's Kubernetes
/// client against the fake apiserver: never before the first sync, one strategic-merge patch of nodes/NAME/status,
/// retried while the apiserver fails.
/// </summary>
public sealed class NodeNetworkConditionTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6i-condition-").FullName;
    private readonly FakeKubeApiServer _server = FakeKubeApiServer.Start(IPAddress.Loopback);
    private readonly AgentHealth _health = new(TimeProvider.System);
    private KubernetesNodeApi _api = null!;
    private NodeNetworkCondition _condition = null!;

    public async Task InitializeAsync()
    {
        _server.Upsert(new FakeNode("n1", ["fd00:a11::11"], ["fd00:10:244:1::/64"]));
        _api = KubernetesNodeApi.Create(_server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig")));
        _condition = new NodeNetworkCondition(new AgentOptions { NodeName = "n1" }, _api, _health, TimeProvider.System, NullLogger<NodeNetworkCondition>.Instance)
        {
            Retry = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
        };
        await _condition.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task After_the_first_sync_the_node_gets_NetworkUnavailable_False_by_one_strategic_merge_patch()
    {
        await Task.Delay(300);
        var beforeReady = _server.StatusPatches.Count;

        _health.MarkReady();
        var patch = await WaitForPatchAsync();
        await Task.Delay(300);

        Assert.Equal(0, beforeReady);
        Assert.Single(_server.StatusPatches);
        Assert.Equal("n1", patch.Node);
        Assert.Equal("application/strategic-merge-patch+json", patch.ContentType.Split(';')[0]);
        using var body = JsonDocument.Parse(patch.Body);
        var status = Assert.Single(body.RootElement.EnumerateObject());
        Assert.Equal("status", status.Name);
        var condition = Assert.Single(status.Value.GetProperty("conditions").EnumerateArray());
        Assert.Equal("NetworkUnavailable", condition.GetProperty("type").GetString());
        Assert.Equal("False", condition.GetProperty("status").GetString());
        Assert.Equal("CniV6Ready", condition.GetProperty("reason").GetString());
        Assert.Contains("cniv6", condition.GetProperty("message").GetString(), StringComparison.Ordinal);
        var transition = DateTimeOffset.Parse(condition.GetProperty("lastTransitionTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - transition, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(30));
        Assert.Equal(condition.GetProperty("lastTransitionTime").GetString(), condition.GetProperty("lastHeartbeatTime").GetString());
    }

    [Fact]
    public async Task A_failing_apiserver_is_retried_until_the_condition_is_set()
    {
        _server.InjectFault(ApiFault.InternalError);
        _health.MarkReady();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.FaultedRequests < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var refused = _server.FaultedRequests;
        _server.InjectFault(ApiFault.None);
        var patch = await WaitForPatchAsync();

        Assert.True(refused >= 2, $"expected retries while the apiserver failed, saw {refused} request(s)");
        Assert.Equal("n1", patch.Node);
        Assert.Contains("\"NetworkUnavailable\"", patch.Body, StringComparison.Ordinal);
    }

    private async Task<RecordedPatch> WaitForPatchAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.StatusPatches.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return _server.StatusPatches.Count > 0 ? _server.StatusPatches[0] : throw new TimeoutException("no PATCH of nodes/n1/status within 10 s");
    }

    public async Task DisposeAsync()
    {
        await _condition.StopAsync(CancellationToken.None);
        _condition.Dispose();
        _api.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
