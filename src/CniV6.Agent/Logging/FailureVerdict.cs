namespace CniV6.Agent.Logging;

/// <summary>What to log for a failure, as <see cref="RepeatedFailure.Record"/> decides.</summary>
internal enum FailureVerdict
{
    /// <summary>A failure not seen just before: log it, with its message.</summary>
    First,

    /// <summary>The same failure as the last one: log nothing.</summary>
    Repeat,

    /// <summary>The same failure, and the summary interval has passed: log that it is still failing, and how often.</summary>
    StillFailing,
}
