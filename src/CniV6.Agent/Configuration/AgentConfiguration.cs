using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Configuration;

/// <summary>
/// Layers the agent's configuration: the JSON file, then the <c>NODE_NAME</c> the downward API sets, then
/// <c>CNIV6_*</c> environment variables (<c>__</c> separates sections), then command-line flags
/// (<see cref="ConfigurationFlags"/>).
/// </summary>
internal static class AgentConfiguration
{
    public const string DefaultConfigFile = "/etc/cniv6/agent.json";

    public const string EnvironmentPrefix = "CNIV6_";

    /// <summary>Layers the configuration with <paramref name="args"/> parsed as flags; a bad flag throws <see cref="AgentConfigurationException"/>.</summary>
    public static void Build(IConfigurationBuilder builder, string[] args, IReadOnlyDictionary<string, string> environment) =>
        Build(builder, Cli.AgentCommandLine.ParseFlags(args), environment);

    /// <summary>Layers the configuration with <paramref name="flags"/> (configuration key → value) on top.</summary>
    public static void Build(IConfigurationBuilder builder, IReadOnlyList<KeyValuePair<string, string?>> flags, IReadOnlyDictionary<string, string> environment)
    {
        var prefixed = FromEnvironment(environment);

        // The file's path can itself come from the flags or the environment, so read those first.
        var explicitFile = flags.LastOrDefault(f => f.Key == "Config").Value
                           ?? prefixed.LastOrDefault(e => string.Equals(e.Key, "Config", StringComparison.OrdinalIgnoreCase)).Value;

        var file = Path.GetFullPath(explicitFile ?? DefaultConfigFile);
        RequireRegularFileOrAbsent(file);
        builder.AddJsonFile(file, optional: explicitFile is null, reloadOnChange: false);
        if (environment.GetValueOrDefault("NODE_NAME") is { Length: > 0 } nodeName)
        {
            builder.AddInMemoryCollection([new KeyValuePair<string, string?>("NodeName", nodeName)]);
        }

        builder.AddInMemoryCollection(prefixed);
        builder.AddInMemoryCollection(flags);
    }

    /// <summary>
    /// The config file (a symlink to one, as a ConfigMap mount gives, is fine) must be a regular file: the JSON reader
    /// would block forever on a FIFO and fail obscurely on a directory or device.
    /// </summary>
    private static void RequireRegularFileOrAbsent(string path)
    {
        if (CniV6.Linux.PosixFile.TryStat(path, followSymlinks: true, out var status) && status.Type != CniV6.Linux.PosixFileType.RegularFile)
        {
            var what = status.Type switch
            {
                CniV6.Linux.PosixFileType.Directory => "a directory",
                CniV6.Linux.PosixFileType.Fifo => "a FIFO",
                CniV6.Linux.PosixFileType.Socket => "a socket",
                CniV6.Linux.PosixFileType.CharacterDevice or CniV6.Linux.PosixFileType.BlockDevice => "a device",
                _ => "not a regular file",
            };
            throw new AgentConfigurationException($"config file {path} is {what}; it must be a regular JSON file");
        }
    }

    /// <summary>The process environment as <see cref="Build(IConfigurationBuilder, string[], IReadOnlyDictionary{string, string})"/> expects it.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                   .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    /// <summary><c>CNIV6_CNI__MTU=1400</c> → <c>Cni:Mtu</c>, as the .NET environment-variable provider maps them.</summary>
    private static KeyValuePair<string, string?>[] FromEnvironment(IReadOnlyDictionary<string, string> environment) =>
        environment.Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                   .Select(e => new KeyValuePair<string, string?>(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value))
                   .ToArray();
}
