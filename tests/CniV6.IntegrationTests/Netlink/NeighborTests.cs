using System.Net;

namespace CniV6.IntegrationTests.Netlink;

public sealed class NeighborTests
{
    [Fact]
    public void A_permanent_neighbour_entry_is_installed_for_both_families()
    {
        using var pair = new VethPair();

        pair.InA(rt =>
        {
            int index = rt.GetLink(VethPair.Name)!.Index;
            rt.SetLinkUp(index);
            rt.AddNeighbor(index, IPAddress.Parse("fe80::ecee:eeff:feee:eeee"), VethPair.PeerMac, permanent: true);
            rt.AddNeighbor(index, IPAddress.Parse("169.254.1.1"), VethPair.PeerMac, permanent: true);

            // Setting it again replaces rather than fails, so a retried ADD gets through.
            rt.AddNeighbor(index, IPAddress.Parse("169.254.1.1"), VethPair.PeerMac, permanent: true);
        });

        string v6 = pair.A.Exec("ip", "-6", "neigh", "show", "dev", VethPair.Name);
        string v4 = pair.A.Exec("ip", "-4", "neigh", "show", "dev", VethPair.Name);
        Assert.Contains("fe80::ecee:eeff:feee:eeee lladdr ee:ee:ee:ee:ee:ee PERMANENT", v6);
        Assert.Contains("169.254.1.1 lladdr ee:ee:ee:ee:ee:ee PERMANENT", v4);
    }

    [Fact]
    public void A_non_permanent_entry_starts_reachable()
    {
        using var pair = new VethPair();

        pair.InA(rt =>
        {
            int index = rt.GetLink(VethPair.Name)!.Index;
            rt.SetLinkUp(index);
            rt.AddNeighbor(index, IPAddress.Parse("2001:db8::99"), VethPair.PeerMac, permanent: false);
        });

        Assert.Contains("2001:db8::99 lladdr ee:ee:ee:ee:ee:ee REACHABLE", pair.A.Exec("ip", "-6", "neigh", "show", "dev", VethPair.Name));
    }
}
