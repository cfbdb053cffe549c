namespace CniV6.Plugin.Cli;

/// <summary>
/// One verb of <c>cniv6</c> run by hand (no CNI_COMMAND): <c>version</c>, <c>doctor</c>, <c>ipam</c>.
/// A verb is one file implementing this plus its line in <see cref="CommandLine.Verbs"/>.
/// </summary>
internal interface ICliVerb
{
    /// <summary>The word on the command line, e.g. <c>version</c>.</summary>
    string Name { get; }

    /// <summary>One line for the verb list in <c>cniv6 --help</c>.</summary>
    string Summary { get; }

    /// <summary>The verb's own usage text (<c>cniv6 VERB --help</c>), starting with its synopsis line.</summary>
    string Usage { get; }

    /// <summary>Runs with the arguments after the verb (never containing --help/-h); returns the exit code.</summary>
    /// <exception cref="CliUsageException">The arguments do not fit the verb.</exception>
    int Run(IReadOnlyList<string> arguments, CliConsole console);
}
