using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Configuration;

/// <summary>
/// Layers the agent's configuration: the JSON file, then the <c>NODE_NAME</c> the downward API sets, then
/// <c>CNIV6_*</c> environment variables (<c>__</c> separates sections), then command-line flags.
/// </summary>
internal static class AgentConfiguration
{
    public const string DefaultConfigFile = "/etc/cniv6/agent.json";

    public const string EnvironmentPrefix = "CNIV6_";

    /// <summary>Flag → configuration key. Any key also works as <c>--Section:Key=value</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>
    {
        ["--config"] = "Config",
        ["--node-name"] = "NodeName",
        ["--source"] = "Source",
        ["--kubeconfig"] = "Kubeconfig",
        ["--cni-conf-dir"] = "Cni:ConfDir",
        ["--cni-bin-dir"] = "Cni:BinDir",
        ["--plugin-source"] = "Cni:PluginSource",
        ["--network-name"] = "Cni:NetworkName",
        ["--mtu"] = "Cni:Mtu",
        ["--ipam-data-dir"] = "Cni:IpamDataDir",
        ["--health-address"] = "Health:Address",
        ["--health-port"] = "Health:Port",
        ["--resync-seconds"] = "ResyncSeconds",
        ["--routing-mode"] = "Routing:Mode",
        ["--log-level"] = "Logging:LogLevel:Default",
    };

    public static void Build(IConfigurationBuilder builder, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var prefixed = FromEnvironment(environment);

        // The file's path can itself come from the flags or the environment, so read those first.
        var early = new ConfigurationBuilder()
            .AddInMemoryCollection(prefixed)
            .AddCommandLine(args, ToSwitchMappings())
            .Build();
        var explicitFile = early["Config"];

        builder.AddJsonFile(Path.GetFullPath(explicitFile ?? DefaultConfigFile), optional: explicitFile is null, reloadOnChange: false);
        if (environment.GetValueOrDefault("NODE_NAME") is { Length: > 0 } nodeName)
        {
            builder.AddInMemoryCollection([new KeyValuePair<string, string?>("NodeName", nodeName)]);
        }

        builder.AddInMemoryCollection(prefixed);
        builder.AddCommandLine(args, ToSwitchMappings());
    }

    /// <summary>The process environment as <see cref="Build"/> expects it.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                   .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    /// <summary><c>CNIV6_CNI__MTU=1400</c> → <c>Cni:Mtu</c>, as the .NET environment-variable provider maps them.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IReadOnlyDictionary<string, string> environment) =>
        environment.Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                   .Select(e => new KeyValuePair<string, string?>(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value))
                   .ToArray();

    private static Dictionary<string, string> ToSwitchMappings() => new(Flags, StringComparer.OrdinalIgnoreCase);
}
