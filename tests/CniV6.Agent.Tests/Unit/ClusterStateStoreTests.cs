using CniV6.Agent.Cluster;

namespace CniV6.Agent.Tests.Unit;

public class ClusterStateStoreTests
{
    [Fact]
    public async Task Wakes_the_reader_only_for_real_changes()
    {
        var store = new ClusterStateStore();

        Assert.True(store.Publish(TestStates.Cluster(1, 1, 2), TimeProvider.System));
        Assert.False(store.Publish(TestStates.Cluster(1, 2, 1), TimeProvider.System));
        Assert.True(await store.WaitForChangeAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(await store.WaitForChangeAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));

        Assert.True(store.Publish(TestStates.Cluster(1, 1), TimeProvider.System));
        Assert.True(await store.WaitForChangeAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(TestStates.Cluster(1, 1), store.Current);
    }

    [Fact]
    public void Families_in_use_follow_the_local_pools()
    {
        var ipv6Only = ClusterState.Create("n1", [System.Net.IPNetwork.Parse("fd00:10:244:1::/64")], []);

        Assert.True(ipv6Only.UsesIPv6);
        Assert.False(ipv6Only.UsesIPv4);
        Assert.True(TestStates.Cluster(1, 1).UsesIPv4);
    }
}
