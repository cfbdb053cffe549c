using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace CniV6.Agent.Metrics;

/// <summary>
/// The standard process series of Prometheus client libraries (process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_cpu_seconds_total, process_open_fds, process_start_time_seconds), read from
/// /proc at scrape time only, so dashboards built for any exporter work unchanged.
/// </summary>
internal static class ProcessMetrics
{
    public static void Register(Meter meter)
    {
        var startTime = new Lazy<double>(StartTimeSeconds);
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Statm(field: 1), unit: "By", description: "Resident memory size in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_bytes", () => Statm(field: 0), unit: "By", description: "Virtual memory size in bytes.");
        meter.CreateObservableCounter("process_cpu_seconds", () => Environment.CpuUsage.TotalTime.TotalSeconds, unit: "s", description: "Total user and system CPU time spent in seconds.");
        meter.CreateObservableGauge("process_open_fds", OpenFileDescriptors, description: "Number of open file descriptors.");
        meter.CreateObservableGauge("process_start_time_seconds", () => startTime.Value, unit: "s", description: "Start time of the process since unix epoch in seconds.");
    }

    /// <summary>A field of /proc/self/statm (pages) in bytes; WorkingSet when /proc is not readable.</summary>
    private static double Statm(int field)
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return double.Parse(fields[field], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return field == 1 ? Environment.WorkingSet : double.NaN;
        }
    }

    private static double OpenFileDescriptors()
    {
        try
        {
            // The enumeration's own directory fd is counted too, as in the Go and Python clients.
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private static double StartTimeSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }
}
