namespace CniV6.Plugin.Cli;

/// <summary>
/// Which CNI network a verb run by hand works on: by default the first configuration in <c>/etc/cni/net.d</c> (in
/// the runtime's lexical order) that has a cniv6 plugin; <c>--conflist FILE</c> names one, <c>--conf-dir DIR</c>
/// another directory; <c>--network NAME</c> and <c>--data-dir DIR</c> override what the configuration says (with both,
/// no configuration is read at all — the IPAM store of a network whose configuration is gone can still be listed).
/// </summary>
internal sealed class NetworkOptions
{
    public const string DefaultConfDir = "/etc/cni/net.d";

    /// <summary>The options every such verb declares.</summary>
    public static readonly IReadOnlyList<string> Declared = ["--conf-dir", "--conflist", "--network", "--data-dir"];

    /// <summary>Usage lines for <see cref="Declared"/>.</summary>
    public const string Usage =
        "  --conf-dir DIR    CNI configuration directory (default /etc/cni/net.d); the first file with a\n" +
        "                    cniv6 plugin, in the order runtimes read them, is the network\n" +
        "  --conflist FILE   use this configuration file instead\n" +
        "  --network NAME    network name (default: the configuration's name)\n" +
        "  --data-dir DIR    IPAM data directory (default: the configuration's ipam.dataDir)\n";

    private NetworkOptions(CliArguments arguments)
    {
        ConfDir = arguments.Value("--conf-dir") ?? DefaultConfDir;
        ConflistPath = arguments.Value("--conflist");
        Network = arguments.Value("--network");
        DataDir = arguments.Value("--data-dir");
        Given = [.. Declared.Where(o => arguments.Value(o) is not null).Select(o => (o, arguments.Value(o)!))];
    }

    public string ConfDir { get; }

    public string? ConflistPath { get; }

    public string? Network { get; }

    public string? DataDir { get; }

    /// <summary>The options as given, to repeat them in a suggested command.</summary>
    public IReadOnlyList<(string Option, string Value)> Given { get; }

    public static NetworkOptions From(CliArguments arguments) => new(arguments);

    /// <summary>The options as given, quoted for a shell, with a leading space (empty when none were given).</summary>
    public string CommandSuffix() => string.Concat(Given.Select(g => $" {g.Option} {ShellQuote.Quote(g.Value)}"));

    /// <summary>The configuration file the options point at: <c>--conflist</c>, or the first of ours in <see cref="ConfDir"/>; null when there is none.</summary>
    public CniConfFile? FindConfFile()
    {
        if (ConflistPath is not null)
        {
            return CniConfFile.Load(ConflistPath);
        }

        foreach (var path in CniConfFile.List(ConfDir))
        {
            var file = CniConfFile.Load(path);
            if (file.IsOurs)
            {
                return file;
            }
        }

        return null;
    }

    /// <summary>The network name and IPAM data directory to work on.</summary>
    /// <exception cref="CliFailureException">no usable configuration and the options do not name both.</exception>
    public (string Network, string DataDir) ResolveStore()
    {
        if (Network is not null && DataDir is not null)
        {
            return (Network, DataDir);
        }

        var file = FindConfFile() ?? throw new CliFailureException(
            $"no configuration with a cniv6 plugin in {ConfDir} (give --conflist FILE, or --network NAME and --data-dir DIR)");
        if (!file.IsOurs)
        {
            throw new CliFailureException($"{file.Path} has no cniv6 plugin");
        }

        if (file.Config is not { } config)
        {
            throw new CliFailureException($"{file.Path}: {file.Problem}");
        }

        if (!config.Ipam.IsBuiltIn && DataDir is null)
        {
            throw new CliFailureException($"{file.Path}: IPAM is delegated to '{config.Ipam.Type}'; cniv6 keeps no addresses for this network");
        }

        return (Network ?? config.Name, DataDir ?? config.Ipam.DataDir);
    }
}
