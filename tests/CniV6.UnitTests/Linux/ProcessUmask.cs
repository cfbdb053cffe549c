using Tmds.Linux;

namespace CniV6.UnitTests.Linux;

/// <summary>Tests that change the process umask: they run alone, after the parallel ones, so no other test sees it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessUmask
{
    public const string Name = "process umask";

    /// <summary>Sets the umask until disposed.</summary>
    internal static IDisposable Set(int mask)
    {
        mode_t previous = LibC.umask((mode_t)mask);
        return new Restore(previous);
    }

    private sealed class Restore(mode_t previous) : IDisposable
    {
        public void Dispose() => LibC.umask(previous);
    }
}
