using System.Net;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.HostGateway;

namespace CniV6.Agent.Tests.Unit;

public class RoutePlanTests
{
    private static NodeRoute Route(string cidr, string gateway, int index = 2) => new(IPNetwork.Parse(cidr), IPAddress.Parse(gateway), index);

    [Fact]
    public void Adds_missing_routes_and_keeps_correct_ones()
    {
        var plan = RoutePlan.Compute(
            [Route("fd00:10:244:2::/64", "fd00:a11::12")],
            [Route("fd00:10:244:2::/64", "fd00:a11::12"), Route("fd00:10:244:3::/64", "fd00:a11::13")]);

        Assert.Equal([Route("fd00:10:244:3::/64", "fd00:a11::13")], plan.ToReplace);
        Assert.Empty(plan.ToDelete);
    }

    [Fact]
    public void Replaces_a_route_whose_gateway_or_interface_changed()
    {
        var plan = RoutePlan.Compute(
            [Route("10.244.2.0/24", "10.99.0.12"), Route("10.244.3.0/24", "10.99.0.13", 2)],
            [Route("10.244.2.0/24", "10.99.0.22"), Route("10.244.3.0/24", "10.99.0.13", 9)]);

        Assert.Equal([Route("10.244.2.0/24", "10.99.0.22"), Route("10.244.3.0/24", "10.99.0.13", 9)], plan.ToReplace);
        Assert.Empty(plan.ToDelete);
    }

    [Fact]
    public void Deletes_routes_of_nodes_that_went_away()
    {
        var plan = RoutePlan.Compute([Route("fd00:10:244:4::/64", "fd00:a11::14"), Route("10.244.4.0/24", "10.99.0.14")], []);

        Assert.Empty(plan.ToReplace);
        Assert.Equal(2, plan.ToDelete.Count);
    }

    [Fact]
    public void Removes_stale_duplicates_of_a_destination_that_is_already_right()
    {
        var plan = RoutePlan.Compute(
            [Route("10.244.2.0/24", "10.99.0.99"), Route("10.244.2.0/24", "10.99.0.12")],
            [Route("10.244.2.0/24", "10.99.0.12")]);

        Assert.Empty(plan.ToReplace);
        Assert.Equal([Route("10.244.2.0/24", "10.99.0.99")], plan.ToDelete);
    }

    [Fact]
    public void Nothing_to_do_when_everything_matches()
    {
        NodeRoute[] routes = [Route("fd00:10:244:2::/64", "fd00:a11::12"), Route("10.244.2.0/24", "10.99.0.12")];

        var plan = RoutePlan.Compute(routes, routes);

        Assert.Empty(plan.ToReplace);
        Assert.Empty(plan.ToDelete);
    }
}
