namespace CniV6.Plugin.Cli;

/// <summary>Where a verb writes: results to <see cref="Out"/>, errors and usage after an error to <see cref="Error"/>.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error);
