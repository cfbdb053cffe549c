namespace CniV6.Plugin.Cli;

/// <summary>
/// A verb's arguments split into the flags it declares (<c>--json</c>, <c>--yes</c>) and positionals. Anything
/// else that starts with <c>-</c>, or more positionals than the verb takes, is a usage error: nothing is ignored.
/// </summary>
internal sealed class CliArguments
{
    private readonly HashSet<string> _flags;

    private CliArguments(HashSet<string> flags, IReadOnlyList<string> positionals)
    {
        _flags = flags;
        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <exception cref="CliUsageException">an undeclared flag, or more than <paramref name="maxPositionals"/> positionals.</exception>
    public static CliArguments Parse(ICliVerb verb, IReadOnlyList<string> arguments, IReadOnlyCollection<string> declaredFlags, int maxPositionals)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var onlyPositionals = false;
        foreach (var argument in arguments)
        {
            if (!onlyPositionals && argument == "--")
            {
                onlyPositionals = true;
            }
            else if (!onlyPositionals && argument.Length > 1 && argument[0] == '-')
            {
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

        return new CliArguments(given, positionals);
    }

    public bool Has(string flag) => _flags.Contains(flag);
}
