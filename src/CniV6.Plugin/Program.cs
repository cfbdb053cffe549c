using System.Runtime.Versioning;
using CniV6.Core.Config;
using CniV6.Core.Forwarding;
using CniV6.Core.Metrics;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Plugin.Cli;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;
using CniV6.Plugin.Logging;
using CniV6.Plugin.Wiring;
using Microsoft.Extensions.Logging;

// A CNI plugin for Linux network namespaces; file modes and process handling assume Linux.
[assembly: SupportedOSPlatform("linux")]

namespace CniV6.Plugin;

/// <summary>
/// Entry point of <c>cniv6</c>. Started by a container runtime (CNI_COMMAND set) it speaks the CNI protocol: the
/// real process boundary, the file log and the plugin wired into the dispatcher, free of hosting/DI so a VERSION
/// probe costs a few milliseconds. Started by a person with arguments, it runs a <see cref="CommandLine"/> verb.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var cniCommand = Environment.GetEnvironmentVariable(CniEnvironment.CommandVariable);
        if (cniCommand is null && args.Length > 0)
        {
            return CommandLine.Run(args, new CliConsole(Console.Out, Console.Error));
        }

        if (cniCommand is null)
        {
            // No arguments and no CNI_COMMAND: answered as CNI (error code 4 on stdout, as runtimes and tests
            // expect), with a pointer for the person who typed it.
            Console.Error.WriteLine("cniv6: CNI_COMMAND is not set; this is a CNI plugin run by a container runtime (see 'cniv6 --help')");
        }

        return RunCni();
    }

    private static int RunCni()
    {
        // stdout carries exactly one CNI document; a stray Console.Write anywhere would corrupt it. Both descriptors
        // are used with plain read(2)/write(2): System.Console's streams and their set-up cost every start.
        using var stdout = StandardStream.Output();
        Console.SetOut(TextWriter.Null);

        // Started by hand on a terminal (e.g. `CNI_COMMAND=VERSION cniv6`), there is no config to wait for.
        using var stdin = StandardStream.InputIsCharacterDevice() ? Stream.Null : StandardStream.Input();

        var dispatcher = new CniDispatcher(
            Environment.GetEnvironmentVariable,
            stdin,
            stdout,
            settings => FileLoggerProvider.Open(settings),
            CreatePlugin,
            recordOperation: static record => CniOperationLog.TryAppend(CniOperationLog.DefaultPath, record));
        return dispatcher.Run();
    }

    /// <summary>
    /// The one place the plugin's seams are chosen: IPAM by <c>ipam.type</c>, the node's masquerade backend, and the
    /// netlink wiring and sysctl forwarding of the node the plugin runs on.
    /// </summary>
    private static ICniPlugin CreatePlugin(ILoggerProvider logs, NetworkConfig config)
    {
        IIpam ipam = config.Ipam.IsBuiltIn ? new BuiltInIpam(config) : new DelegatedPluginIpam();
        return new PodNetworkPlugin(
            logs.CreateLogger(typeof(PodNetworkPlugin).FullName!),
            ipam,
            new NetlinkPodWiring(),
            new ForwardingSysctls(),
            MasqueradeBackends.ForNode(config.NatBackend),
            new AttachmentLocks(AttachmentLocks.DefaultDirectory));
    }
}
