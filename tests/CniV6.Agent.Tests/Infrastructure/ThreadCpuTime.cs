using System.Runtime.InteropServices;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID). Bounds on how much work something does hold on a machine
/// shared by many builds, where wall-clock time can stretch twenty-fold.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static TimeSpan Now
    {
        get
        {
            if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
            {
                throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
        }
    }

    /// <summary>Runs <paramref name="work"/> on this thread and returns its result and the CPU time it took.</summary>
    public static (T Result, TimeSpan Cpu) Measure<T>(Func<T> work)
    {
        var before = Now;
        var result = work();
        return (result, Now - before);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clockId, out Timespec time);
}
