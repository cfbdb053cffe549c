using System.Runtime.Versioning;
using CniV6.UnitTests.Fuzz;
using SharpFuzz;

// Drives Linux-only code (netlink, network namespaces).
[assembly: SupportedOSPlatform("linux")]

namespace CniV6.Fuzz;

/// <summary>
/// The fuzz driver. <c>CniV6.Fuzz TARGET</c> runs one target under afl-fuzz (SharpFuzz's in-process fork server:
/// the input arrives on stdin, an escaped exception is reported as a crash); <c>replay TARGET PATH…</c> runs files
/// or folders through a target without AFL and names each finding; <c>capture DIR</c> records real netlink dump
/// replies from a throwaway network namespace as seeds.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: CniV6.Fuzz <target>                  (under afl-fuzz; input on stdin)\n" +
        "       CniV6.Fuzz replay <target> <path>...   (files or folders, no AFL)\n" +
        "       CniV6.Fuzz capture <dir>               (root: record netlink replies in a throwaway netns)\n" +
        "targets: config, result, env, netlink";

    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["replay", var name, .. var paths] when paths.Length > 0 && FuzzTarget.Find(name) is { } target:
                return Replay.Run(target, paths);
            case ["capture", var directory]:
                return NetlinkCapture.Run(directory);
            case [var name] when FuzzTarget.Find(name) is { } target:
                Fuzzer.Run(stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    target.Run(buffer.ToArray());
                });
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
