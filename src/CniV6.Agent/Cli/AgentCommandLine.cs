using System.CommandLine;
using System.Reflection;
using CniV6.Agent.Configuration;

namespace CniV6.Agent.Cli;

/// <summary>
/// The process boundary of <c>cniv6-agent</c>: verbs, <c>--help</c>, <c>--version</c> and the configuration flags
/// (System.CommandLine, which is trim- and AOT-safe). No verb means <c>run</c>. A flag, option or argument it does
/// not know is a usage error: the error and the usage go to stderr and the exit code is 2 — nothing is ignored and
/// nothing is started. A new verb is one file with a <c>Create</c> method plus one line in <see cref="Verbs"/>.
/// </summary>
internal static class AgentCommandLine
{
    public const int UsageError = 2;

    /// <summary>Each verb's command, given what every verb needs to resolve its configuration.</summary>
    private static readonly Func<VerbContext, Command>[] Verbs =
    [
        RunVerb.Create,
        UninstallVerb.Create,
    ];

    /// <summary>Arguments are taken literally: no <c>@file</c> response files.</summary>
    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    /// <summary>The build's version as the assembly carries it (the informational version, with the commit when known).</summary>
    public static string Version =>
        typeof(AgentCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AgentCommandLine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static Task<int> InvokeAsync(string[] args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default) =>
        InvokeAsync(args, environment, Console.Out, Console.Error, RunVerb.RunAsync, cancellationToken);

    /// <summary>Parses and runs; <paramref name="run"/> is what the <c>run</c> verb does (the agent itself; faked in tests).</summary>
    internal static async Task<int> InvokeAsync(string[] args, IReadOnlyDictionary<string, string> environment, TextWriter output, TextWriter error,
                                                Func<AgentInvocation, CancellationToken, Task<int>> run, CancellationToken cancellationToken = default)
    {
        var root = Create(environment, output, error, run);
        var parsed = root.Parse(args, Parser);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"cniv6-agent: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync().ConfigureAwait(false);
            var usageOf = parsed.CommandResult.Command == root ? [] : new[] { parsed.CommandResult.Command.Name };
            await root.Parse([.. usageOf, "--help"], Parser).InvokeAsync(Invocation(error, error), cancellationToken).ConfigureAwait(false);
            return UsageError;
        }

        return await parsed.InvokeAsync(Invocation(output, error), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The configuration keys <paramref name="args"/> set as flags; anything else in them is an <see cref="AgentConfigurationException"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ParseFlags(string[] args)
    {
        var flags = ConfigurationFlags.CreateOptions();
        var command = new RootCommand();
        foreach (var (option, _) in flags)
        {
            command.Options.Add(option);
        }

        var parsed = command.Parse(args, Parser);
        return parsed.Errors.Count > 0
            ? throw new AgentConfigurationException(string.Join("; ", parsed.Errors.Select(e => e.Message)))
            : ConfigurationFlags.Values(parsed, flags);
    }

    private static RootCommand Create(IReadOnlyDictionary<string, string> environment, TextWriter output, TextWriter error,
                                      Func<AgentInvocation, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("cniv6-agent: the CniV6 node agent. Without a verb it runs the agent (cniv6-agent run).") { HelpName = "cniv6-agent" };
        var flags = ConfigurationFlags.CreateOptions();
        foreach (var (option, _) in flags)
        {
            root.Options.Add(option);
        }

        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion();
        }

        var context = new VerbContext(parsed => new AgentInvocation(ConfigurationFlags.Values(parsed, flags), environment, output, error), run);
        foreach (var create in Verbs)
        {
            root.Subcommands.Add(create(context));
        }

        // The default verb: the root runs the agent exactly as `run` does.
        root.SetAction((parsed, cancellation) => run(context.Invocation(parsed), cancellation));
        return root;
    }

    private static InvocationConfiguration Invocation(TextWriter output, TextWriter error) => new()
    {
        Output = output,
        Error = error,
        // The host handles SIGTERM/SIGINT itself (graceful stop, systemd STOPPING=1); the parser must not race it.
        ProcessTerminationTimeout = null,
        // An exception the verb did not handle is a crash with its stack, not a one-line "1".
        EnableDefaultExceptionHandler = false,
    };

    private sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"cniv6-agent {Version}");
            return 0;
        }
    }
}
