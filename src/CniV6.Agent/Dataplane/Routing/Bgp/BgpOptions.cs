namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>The <c>bgp</c> mode's settings (<c>Bgp:*</c> in the agent configuration).</summary>
/// <param name="As">This node's AS number; the mesh is iBGP inside it. A private AS (RFC 6996) by default, as Calico's.</param>
/// <param name="Mesh">A session to every other node (per family). Off when top-of-rack routers or route reflectors carry the routes.</param>
/// <param name="RouteReflector">
/// This node reflects routes between the other nodes (<c>rr client</c> sessions to every node); the clients turn the
/// mesh off and list this node under <see cref="Peers"/> with the cluster's AS.
/// </param>
/// <param name="Peers">Routers outside the cluster (or reflector nodes), global or for some nodes only.</param>
/// <param name="RunDirectory">Where BIRD's configuration and control socket live (under the agent's run directory).</param>
/// <param name="BirdPath">The BIRD 2 executable (Debian's bird2 by default).</param>
internal sealed record BgpOptions(uint As = BgpOptions.DefaultAs, bool Mesh = true, bool RouteReflector = false,
                                  IReadOnlyList<BgpPeer>? Peers = null, string RunDirectory = BgpOptions.DefaultRunDirectory,
                                  string BirdPath = BgpOptions.DefaultBirdPath)
{
    /// <summary>The first 16-bit private AS (RFC 6996), Calico's default too.</summary>
    public const uint DefaultAs = 64512;

    public const string DefaultRunDirectory = "/run/cniv6/bgp";

    /// <summary>Debian's bird2.</summary>
    public const string DefaultBirdPath = "/usr/sbin/bird";

    public IReadOnlyList<BgpPeer> PeerList => Peers ?? [];

    public string ConfigPath => Path.Combine(RunDirectory, "bird.conf");

    public string ControlSocketPath => Path.Combine(RunDirectory, "bird.ctl");

    public bool Equals(BgpOptions? other) =>
        other is not null && As == other.As && Mesh == other.Mesh && RouteReflector == other.RouteReflector
        && PeerList.SequenceEqual(other.PeerList) && RunDirectory == other.RunDirectory && BirdPath == other.BirdPath;

    public override int GetHashCode() => HashCode.Combine(As, Mesh, RouteReflector, PeerList.Count, RunDirectory);
}
