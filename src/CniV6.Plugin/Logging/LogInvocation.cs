using System.Text;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Logging;

/// <summary>
/// The CNI command, container ID and interface name of this process, written into every log line so that the lines
/// of one pod can be found among those of the many plugin processes sharing the file. Taken from the environment as
/// given, before it is validated (an invocation refused for a bad container ID is still attributable), so each value
/// is made safe for one line: printable ASCII without spaces, at most <see cref="MaxValueLength"/> characters.
/// </summary>
internal sealed class LogInvocation
{
    /// <summary>Longer than any real container ID (64 hex digits) and short enough to keep a line readable.</summary>
    public const int MaxValueLength = 128;

    public LogInvocation(string? command, string? containerId, string? ifName)
    {
        Command = Printable(command);
        ContainerId = Printable(containerId);
        IfName = Printable(ifName);
        Text = $"{Command} {ContainerId} {IfName}";
    }

    /// <summary>A value the runtime did not pass (e.g. CNI_IFNAME of GC) reads as "-".</summary>
    public string Command { get; }

    public string ContainerId { get; }

    public string IfName { get; }

    /// <summary><c>ADD 3f2a9c1b7d eth0</c>: the three values in a fixed order, each one word.</summary>
    public string Text { get; }

    public static LogInvocation FromEnvironment(Func<string, string?> getEnvironmentVariable) => new(
        getEnvironmentVariable(CniEnvironment.CommandVariable),
        getEnvironmentVariable(CniEnvironment.ContainerIdVariable),
        getEnvironmentVariable(CniEnvironment.IfNameVariable));

    private static string Printable(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var length = Math.Min(value.Length, MaxValueLength);
        var clean = true;
        for (var i = 0; i < length && clean; i++)
        {
            clean = value[i] is > ' ' and < '\x7f';
        }

        if (clean)
        {
            return value.Length <= MaxValueLength ? value : $"{value[..MaxValueLength]}…";
        }

        var builder = new StringBuilder(length + 1);
        for (var i = 0; i < length; i++)
        {
            builder.Append(value[i] is > ' ' and < '\x7f' ? value[i] : '?');
        }

        return value.Length <= MaxValueLength ? builder.ToString() : builder.Append('…').ToString();
    }
}
