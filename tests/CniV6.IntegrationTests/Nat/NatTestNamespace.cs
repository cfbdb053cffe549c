using System.Globalization;
using System.Security.Cryptography;
using CniV6.IntegrationTests.Infrastructure;

namespace CniV6.IntegrationTests.Nat;

/// <summary>
/// A throwaway network namespace named <c>cv6n-…</c> for NAT and forwarding tests; deleting it on
/// <see cref="Dispose"/> also drops its interfaces and its iptables/nftables rules.
/// </summary>
public sealed class NatTestNamespace : IDisposable
{
    public const string NamePrefix = "cv6n-";

    public NatTestNamespace(string prefix = NamePrefix)
    {
        Name = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        Command.Run("ip", "netns", "add", Name);
        try
        {
            Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>Inode of the namespace (what <c>NetNamespace.CurrentInode()</c> returns inside it).</summary>
    public ulong Inode => ulong.Parse(Command.Run("stat", "-L", "-c", "%i", "/run/netns/" + Name).Trim(), CultureInfo.InvariantCulture);

    /// <summary>The namespace's nf_tables generation, read inside it (what the plugin reads in the node namespace).</summary>
    public uint? NfTablesGeneration() => CniV6.Linux.NetNamespace.Run("/run/netns/" + Name, CniV6.Netlink.NfTablesGeneration.Read);

    /// <summary>Runs <paramref name="work"/> on a thread inside the namespace (libnftables binds to the calling thread's).</summary>
    public T Run<T>(Func<T> work) => CniV6.Linux.NetNamespace.Run("/run/netns/" + Name, work);

    /// <inheritdoc cref="Run{T}(Func{T})"/>
    public void Run(Action work) => CniV6.Linux.NetNamespace.Run("/run/netns/" + Name, work);

    /// <summary>Runs a command inside the namespace and returns its stdout; throws on a non-zero exit.</summary>
    public string Exec(string program, params string[] arguments) =>
        Command.Run("ip", ["netns", "exec", Name, program, .. arguments]);

    public CommandResult TryExec(string program, params string[] arguments) =>
        Command.TryRun("ip", ["netns", "exec", Name, program, .. arguments]);

    public void Dispose() => Command.TryRun("ip", "netns", "delete", Name);
}
