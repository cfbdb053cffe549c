using System.Net;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodReferenceTests
{
    [Fact]
    public void The_pod_named_in_CNI_ARGS_is_read_whatever_the_order_and_other_keys()
    {
        PodReference? pod = PodReference.FromCniArgs(
        [
            new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "web-7d4b9-x2x"), new("K8S_POD_INFRA_CONTAINER_ID", "abc"), new("K8S_POD_NAMESPACE", "default"),
        ]);

        Assert.Equal(new PodReference("default", "web-7d4b9-x2x"), pod);
        Assert.Equal("default/web-7d4b9-x2x", pod!.ToString());
    }

    [Theory]
    [InlineData(null, "web")]
    [InlineData("default", null)]
    [InlineData("Default", "web")]
    [InlineData("default", "web\u001b[2J")]
    [InlineData("-ns", "web")]
    [InlineData("default", "web..x")]
    [InlineData("default", "")]
    public void Missing_or_invalid_names_record_no_pod(string? podNamespace, string? podName)
    {
        var args = new List<KeyValuePair<string, string>>();
        if (podNamespace is not null)
        {
            args.Add(new("K8S_POD_NAMESPACE", podNamespace));
        }

        if (podName is not null)
        {
            args.Add(new("K8S_POD_NAME", podName));
        }

        Assert.Null(PodReference.FromCniArgs(args));
    }

    [Fact]
    public void A_label_longer_than_63_is_refused_and_a_dotted_name_up_to_253_accepted()
    {
        Assert.False(PodReference.IsValid(new string('a', 64), "web"));
        Assert.True(PodReference.IsValid("kube-system", "coredns.example.a1"));
        Assert.False(PodReference.IsValid("kube-system", string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + "a"));
    }

    [Fact]
    public void The_store_keeps_the_pod_across_reopen_and_files_without_one_still_read()
    {
        using var dir = new TempStoreDirectory();
        IPNetwork[] pools = [IPNetwork.Parse("fd00:10::/112")];
        using (IpamStore store = IpamStore.Open(dir.Path, "podnet", TimeSpan.FromSeconds(5)))
        {
            store.Allocate("c1", "eth0", pools, "/var/run/netns/p1", new PodReference("default", "web"));
            store.Allocate("c2", "eth0", pools, null);
        }

        string json = File.ReadAllText(dir.RecordPath("podnet", "c1", "eth0"));
        Assert.Contains("\"podNamespace\":\"default\",\"podName\":\"web\"", json, StringComparison.Ordinal);
        using (IpamStore store = IpamStore.Open(dir.Path, "podnet", TimeSpan.FromSeconds(5)))
        {
            Assert.Equal(new PodReference("default", "web"), store.Find("c1", "eth0")!.Pod);
            Assert.Null(store.Find("c2", "eth0")!.Pod);
        }
    }

    [Fact]
    public void An_invalid_pod_in_a_record_is_corruption()
    {
        using var dir = new TempStoreDirectory();
        using (IpamStore store = IpamStore.Open(dir.Path, "podnet", TimeSpan.FromSeconds(5)))
        {
            store.Allocate("c1", "eth0", [IPNetwork.Parse("fd00:10::/112")], null, new PodReference("default", "web"));
        }

        string path = dir.RecordPath("podnet", "c1", "eth0");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"podName\":\"web\"", "\"podName\":\"WEB\"", StringComparison.Ordinal));

        using IpamStore reopened = IpamStore.Open(dir.Path, "podnet", TimeSpan.FromSeconds(5));
        var e = Assert.Throws<IpamStoreCorruptException>(() => reopened.Find("c1", "eth0"));
        Assert.Contains("invalid pod 'default/WEB'", e.Message, StringComparison.Ordinal);
    }
}
