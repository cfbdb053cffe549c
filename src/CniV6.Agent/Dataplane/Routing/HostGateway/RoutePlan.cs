using System.Net;

namespace CniV6.Agent.Dataplane.Routing.HostGateway;

/// <summary>What to change to turn the routes cniv6 has installed into the desired ones.</summary>
internal sealed record RoutePlan(IReadOnlyList<NodeRoute> ToReplace, IReadOnlyList<NodeRoute> ToDelete)
{
    /// <summary>
    /// <paramref name="installed"/> must hold only routes cniv6 owns; anything else is never looked at, so it can
    /// never be deleted. A destination present in both with another gateway or interface is replaced in place
    /// (one wrong route is overwritten by the replace, further duplicates are deleted).
    /// </summary>
    public static RoutePlan Compute(IReadOnlyList<NodeRoute> installed, IReadOnlyList<NodeRoute> desired)
    {
        var wanted = desired.ToDictionary(r => r.Destination);
        var correct = new HashSet<IPNetwork>(installed.Where(r => wanted.TryGetValue(r.Destination, out var w) && w == r).Select(r => r.Destination));
        var keptCorrect = new HashSet<IPNetwork>();
        var overwritten = new HashSet<IPNetwork>();
        var toDelete = new List<NodeRoute>();

        foreach (var route in installed)
        {
            var destination = route.Destination;
            var keep = wanted.ContainsKey(destination) && (correct.Contains(destination)
                ? wanted[destination] == route && keptCorrect.Add(destination)
                : overwritten.Add(destination));
            if (!keep)
            {
                toDelete.Add(route);
            }
        }

        var toReplace = desired.Where(r => !correct.Contains(r.Destination)).ToArray();
        return new RoutePlan(toReplace, toDelete);
    }
}
