namespace CniV6.Linux;

/// <summary>
/// A path holds something other than what the caller may use: a symbolic link where none is followed, a FIFO or
/// device where a regular file is expected (reading a FIFO would block for ever), a file where a directory is.
/// </summary>
public sealed class UnexpectedFileTypeException : IOException
{
    public UnexpectedFileTypeException(string path, PosixFileType expected, PosixFileType actual)
        : base($"{path} {ReasonFor(expected, actual)}")
    {
        Path = path;
        Expected = expected;
        Actual = actual;
    }

    public string Path { get; }

    public PosixFileType Expected { get; }

    public PosixFileType Actual { get; }

    /// <summary>The message without the path, e.g. "is a symbolic link; refusing to follow it".</summary>
    public string Reason => ReasonFor(Expected, Actual);

    private static string ReasonFor(PosixFileType expected, PosixFileType actual) => actual == PosixFileType.SymbolicLink
        ? "is a symbolic link; refusing to follow it"
        : $"is {FileStatus.Describe(actual)}, not {FileStatus.Describe(expected)}";
}
