using CniV6.Core.Config;
using CniV6.Core.Ipam;
using CniV6.Linux;

namespace CniV6.Plugin.Cni;

/// <summary>
/// The <c>CNI_*</c> variables of one invocation, read and validated like libcni's skel: which variables a command
/// requires, the container-id and interface-name rules, and code 4 naming the variable on any failure.
/// </summary>
internal sealed record CniEnvironment(
    string Command,
    string ContainerId,
    string? NetNs,
    string IfName,
    IReadOnlyList<KeyValuePair<string, string>> Args,
    IReadOnlyList<string> Path)
{
    public const string CommandVariable = "CNI_COMMAND";
    public const string ContainerIdVariable = "CNI_CONTAINERID";
    public const string NetNsVariable = "CNI_NETNS";
    public const string IfNameVariable = "CNI_IFNAME";
    public const string ArgsVariable = "CNI_ARGS";
    public const string PathVariable = "CNI_PATH";

    /// <summary>Reads the variables <paramref name="command"/> needs (ADD, DEL, CHECK, GC or STATUS).</summary>
    /// <exception cref="CniException">Code 4 naming the missing or invalid variable.</exception>
    public static CniEnvironment Read(string command, Func<string, string?> getVariable)
    {
        var attachmentCommand = command is CniCommand.Add or CniCommand.Del or CniCommand.Check;
        var containerId = Empty(getVariable(ContainerIdVariable));
        var netNs = Empty(getVariable(NetNsVariable));
        var ifName = Empty(getVariable(IfNameVariable));

        var missing = new List<string>();
        if (attachmentCommand)
        {
            if (containerId is null)
            {
                missing.Add(ContainerIdVariable);
            }

            // DEL must work after the namespace is gone, so the runtime may leave CNI_NETNS out (SPEC "DEL").
            if (netNs is null && command != CniCommand.Del)
            {
                missing.Add(NetNsVariable);
            }

            if (ifName is null)
            {
                missing.Add(IfNameVariable);
            }
        }

        if (missing.Count > 0)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironment,
                $"required env variables [{string.Join(",", missing)}] missing",
                $"{command} needs {string.Join(", ", missing)}");
        }

        if (attachmentCommand)
        {
            ValidateContainerId(containerId!);
            ValidateIfName(ifName!);
        }

        return new CniEnvironment(
            command,
            attachmentCommand ? containerId! : "",
            netNs,
            attachmentCommand ? ifName! : "",
            ParseArgs(getVariable(ArgsVariable)),
            ParsePath(getVariable(PathVariable)));
    }

    /// <summary>The <c>CNI_ARGS</c> text for <paramref name="args"/>, to hand the same environment to a delegate.</summary>
    public static string FormatArgs(IReadOnlyList<KeyValuePair<string, string>> args) =>
        string.Join(";", args.Select(pair => $"{pair.Key}={pair.Value}"));

    /// <summary>The container-id rule of <see cref="AttachmentIds"/>, the one the IPAM store applies too.</summary>
    internal static void ValidateContainerId(string containerId)
    {
        if (containerId.Length > AttachmentIds.MaxContainerIdLength)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironment,
                $"{ContainerIdVariable} is longer than {AttachmentIds.MaxContainerIdLength} characters",
                NetworkConfigParser.Truncate(containerId));
        }

        if (!AttachmentIds.IsValidContainerId(containerId))
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironment,
                $"invalid characters in {ContainerIdVariable}: only letters, digits, '_', '.' and '-' are allowed, starting with a letter or digit",
                NetworkConfigParser.Truncate(containerId));
        }
    }

    /// <summary>The kernel's dev_valid_name plus printable ASCII (<see cref="InterfaceName"/>), the rule netlink and the IPAM store apply too.</summary>
    internal static void ValidateIfName(string ifName)
    {
        if (InterfaceName.Problem(ifName) is { } problem)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironment,
                $"invalid {IfNameVariable}: {problem}",
                NetworkConfigParser.Truncate(ifName));
        }
    }

    private static List<KeyValuePair<string, string>> ParseArgs(string? text)
    {
        var args = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(text))
        {
            return args;
        }

        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CniException(
                    CniErrorCode.InvalidEnvironment,
                    $"invalid {ArgsVariable}: \"{NetworkConfigParser.Truncate(pair)}\" is not a KEY=VALUE pair");
            }

            args.Add(new KeyValuePair<string, string>(pair[..equals], pair[(equals + 1)..]));
        }

        return args;
    }

    private static string[] ParsePath(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(':', StringSplitOptions.RemoveEmptyEntries);

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
