namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// A property the harness checks beyond "no undocumented exception" failed, e.g. a result we wrote ourselves did not
/// parse back. Never caught by a target, so the fuzzer records the input as a crash.
/// </summary>
internal sealed class FuzzPropertyException(string message, Exception? innerException = null)
    : Exception(message, innerException);
