namespace CniV6.UnitTests.Fuzz;

/// <summary>How code under fuzzing treated one input. Anything other than these two is an escaped exception: a finding.</summary>
internal enum FuzzOutcome
{
    /// <summary>The input was read as valid (a config, a result, an environment, at least one netlink reply).</summary>
    Accepted,

    /// <summary>The input was refused with the documented "bad input" exception of the code under test.</summary>
    Rejected,
}
