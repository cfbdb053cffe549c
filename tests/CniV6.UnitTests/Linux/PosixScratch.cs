namespace CniV6.UnitTests.Linux;

/// <summary>A scratch directory for one posix-layer test, removed afterwards.</summary>
internal sealed class PosixScratch : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cv6p-").FullName;

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>mkfifo(1): a FIFO, which blocks a reader with no writer for ever.</summary>
    public string MakeFifo(string name)
    {
        string path = Combine(name);
        using var process = System.Diagnostics.Process.Start("mkfifo", path);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
