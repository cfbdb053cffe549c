namespace CniV6.Plugin.Cli;

/// <summary>
/// A verb's arguments split into the flags it declares (<c>--json</c>, <c>--yes</c>), the options with a value it
/// declares (<c>--conf-dir DIR</c> or <c>--conf-dir=DIR</c>) and positionals. Anything else that starts with
/// <c>-</c>, an option without its value, or more positionals than the verb takes, is a usage error: nothing is ignored.
/// </summary>
internal sealed class CliArguments
{
    private readonly HashSet<string> _flags;
    private readonly Dictionary<string, string> _options;

    private CliArguments(HashSet<string> flags, Dictionary<string, string> options, IReadOnlyList<string> positionals)
    {
        _flags = flags;
        _options = options;
        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <exception cref="CliUsageException">an undeclared flag, or more than <paramref name="maxPositionals"/> positionals.</exception>
    public static CliArguments Parse(
        ICliVerb verb,
        IReadOnlyList<string> arguments,
        IReadOnlyCollection<string> declaredFlags,
        int maxPositionals,
        IReadOnlyCollection<string>? declaredOptions = null)
    {
        declaredOptions ??= [];
        var given = new HashSet<string>(StringComparer.Ordinal);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var onlyPositionals = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!onlyPositionals && argument == "--")
            {
                onlyPositionals = true;
            }
            else if (!onlyPositionals && argument.Length > 1 && argument[0] == '-')
            {
                var equals = argument.IndexOf('=', StringComparison.Ordinal);
                var name = equals > 0 ? argument[..equals] : argument;
                if (declaredOptions.Contains(name))
                {
                    var value = equals > 0 ? argument[(equals + 1)..]
                        : i + 1 < arguments.Count ? arguments[++i]
                        : throw new CliUsageException($"option '{name}' needs a value", verb);
                    if (value.Length == 0)
                    {
                        throw new CliUsageException($"option '{name}' needs a value", verb);
                    }

                    if (!options.TryAdd(name, value))
                    {
                        throw new CliUsageException($"option '{name}' given twice", verb);
                    }

                    continue;
                }

                if (!declaredFlags.Contains(argument))
                {
                    throw new CliUsageException($"unknown option '{argument}' for '{verb.Name}'", verb);
                }

                given.Add(argument);
            }
            else if (positionals.Count == maxPositionals)
            {
                throw new CliUsageException($"unexpected argument '{argument}' for '{verb.Name}'", verb);
            }
            else
            {
                positionals.Add(argument);
            }
        }

        return new CliArguments(given, options, positionals);
    }

    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>The value of a declared option, or null when it was not given.</summary>
    public string? Value(string option) => _options.GetValueOrDefault(option);
}
