namespace CniV6.Agent.Logging;

/// <summary>
/// One retried operation's failures, so that its log has one line per kind of failure instead of one per retry: the
/// first failure of a kind is logged (<see cref="FailureVerdict.First"/>); the same failure again is not
/// (<see cref="FailureVerdict.Repeat"/>), except for a "still failing (n times)" line once per
/// <see cref="SummaryInterval"/> (<see cref="FailureVerdict.StillFailing"/>); a different failure is a new kind. After
/// a success <see cref="Recover"/> says how many failures there were, for one "recovered" line. Not thread-safe: each
/// retry loop owns its own.
/// </summary>
internal sealed class RepeatedFailure(TimeProvider time, TimeSpan summaryInterval)
{
    /// <summary>Often enough that a stuck node shows it is still stuck, rare enough not to bury other lines.</summary>
    public static readonly TimeSpan DefaultSummaryInterval = TimeSpan.FromMinutes(5);

    private string? _kind;
    private DateTimeOffset _lastLine;

    public RepeatedFailure(TimeProvider time)
        : this(time, DefaultSummaryInterval)
    {
    }

    public TimeSpan SummaryInterval => summaryInterval;

    /// <summary>Failures in the current streak, of any kind.</summary>
    public int Count { get; private set; }

    /// <summary>Records one failure of <paramref name="kind"/> (e.g. where it failed and the error text).</summary>
    public FailureVerdict Record(string kind)
    {
        var now = time.GetUtcNow();
        Count++;
        if (!string.Equals(kind, _kind, StringComparison.Ordinal))
        {
            _kind = kind;
            _lastLine = now;
            return FailureVerdict.First;
        }

        if (now - _lastLine >= summaryInterval)
        {
            _lastLine = now;
            return FailureVerdict.StillFailing;
        }

        return FailureVerdict.Repeat;
    }

    /// <summary>After a success: the failures of the streak that ended (0 when there was none); forgets it.</summary>
    public int Recover()
    {
        var failures = Count;
        Count = 0;
        _kind = null;
        return failures;
    }
}
