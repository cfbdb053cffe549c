using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// The <c>CNI_*</c> variables of one invocation, read by <see cref="CniEnvironment.Read"/>. The input is UTF-8 text,
/// one variable value per line in the order command, container id, netns, ifname, CNI_ARGS, CNI_PATH; a missing
/// line is an unset variable. An accepted CNI_ARGS must survive <see cref="CniEnvironment.FormatArgs"/> (what a
/// delegated plugin receives) unchanged. Documented failure: <see cref="CniException"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class CniEnvironmentFuzzTarget
{
    private static readonly string[] Variables =
    [
        CniEnvironment.CommandVariable,
        CniEnvironment.ContainerIdVariable,
        CniEnvironment.NetNsVariable,
        CniEnvironment.IfNameVariable,
        CniEnvironment.ArgsVariable,
        CniEnvironment.PathVariable,
    ];

    public static FuzzOutcome Run(byte[] input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n', Variables.Length);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            values[Variables[i]] = lines[i];
        }

        // Read() is only reached for these commands; the dispatcher answers anything else itself.
        var command = values.GetValueOrDefault(CniEnvironment.CommandVariable);
        if (command is not (CniCommand.Add or CniCommand.Del or CniCommand.Check or CniCommand.Gc or CniCommand.Status))
        {
            command = CniCommand.Add;
        }

        CniEnvironment environment;
        try
        {
            environment = CniEnvironment.Read(command, name => values.GetValueOrDefault(name));
        }
        catch (CniException)
        {
            return FuzzOutcome.Rejected;
        }

        var formatted = CniEnvironment.FormatArgs(environment.Args);
        var again = CniEnvironment.Read(command, name => name == CniEnvironment.ArgsVariable ? formatted : values.GetValueOrDefault(name));
        if (!again.Args.SequenceEqual(environment.Args))
        {
            throw new FuzzPropertyException($"CNI_ARGS \"{formatted}\" does not read back as the {environment.Args.Count} pairs it was written from");
        }

        return FuzzOutcome.Accepted;
    }
}
