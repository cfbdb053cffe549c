namespace CniV6.Agent;

/// <summary>
/// Bounded exponential back-off with jitter for reconnecting to the apiserver: doubles from
/// <see cref="Initial"/> up to <see cref="Maximum"/>, and starts over after a success.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan maximum, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public TimeSpan Initial { get; } = initial;

    public TimeSpan Maximum { get; } = maximum;

    public int Failures => _failures;

    /// <summary>The delay before the next attempt: Initial·2^(failures), capped, then scaled by a jitter in [0.8, 1.0].</summary>
    public TimeSpan NextDelay()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var raw = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(raw * (0.8 + (0.2 * _random.NextDouble())));
    }

    public void Reset() => _failures = 0;
}
