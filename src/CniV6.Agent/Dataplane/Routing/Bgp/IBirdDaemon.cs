namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>The BIRD process the bgp mode drives (<see cref="BirdSupervisor"/>); a seam so the mode's logic is tested without one.</summary>
internal interface IBirdDaemon
{
    /// <summary>
    /// Makes a running BIRD run <paramref name="config"/>: starts BIRD when none answers on the control socket (or
    /// adopts the one that does), then <c>configure</c> when the text differs from what it loaded — never a restart
    /// for a change. Throws <see cref="BirdControlException"/> when BIRD cannot be started or refuses the configuration.
    /// </summary>
    void Apply(BirdConfig config);

    /// <summary>Shuts BIRD down cleanly (it withdraws its routes and removes them from the kernel) and stops supervising it.</summary>
    void Stop();
}
