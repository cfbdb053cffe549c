namespace CniV6.UnitTests.Ipam;

/// <summary>A clock that advances one second on every read, so creation times are distinct and ordered.</summary>
public sealed class SteppingTimeProvider : TimeProvider
{
    private long reads;

    public override DateTimeOffset GetUtcNow() =>
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Interlocked.Increment(ref reads));
}
