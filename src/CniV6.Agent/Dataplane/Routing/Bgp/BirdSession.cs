using System.Net;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>One BGP session in a rendered BIRD configuration: BIRD's protocol name and who is at the other end.</summary>
/// <param name="Protocol">BIRD's protocol name (what <c>birdc show protocols</c> lists).</param>
/// <param name="Peer">The peer as people name it: the node name for a cluster node, else its address.</param>
/// <param name="Address">The peer's address.</param>
/// <param name="Kind"><c>mesh</c>, <c>rr-client</c> or <c>peer</c>.</param>
internal sealed record BirdSession(string Protocol, string Peer, IPAddress Address, string Kind);
