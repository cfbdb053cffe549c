namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>BIRD could not be reached, started or configured, or answered something unexpected.</summary>
internal sealed class BirdControlException : Exception
{
    public BirdControlException(string message) : base(message)
    {
    }

    public BirdControlException(string message, Exception inner) : base(message, inner)
    {
    }

    public BirdControlException()
    {
    }
}
