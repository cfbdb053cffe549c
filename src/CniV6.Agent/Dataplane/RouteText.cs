namespace CniV6.Agent.Dataplane;

/// <summary>
/// A route as a log line shows it — <c>fd00:10:244:2::/64 via fd00:5e::2 dev eth1</c>, the device by name — formatted
/// only when the line is written.
/// </summary>
internal readonly record struct RouteText(NodeRoute Route, IReadOnlyList<LocalPrefix> Links)
{
    public override string ToString() => $"{Route.Destination} via {Route.Gateway} dev {LocalPrefix.DeviceText(Route.OutputIndex, Links)}";
}
