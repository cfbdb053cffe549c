using System.Security.Cryptography;

namespace CniV6.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway network namespace (<c>ip netns add cv6t-…</c>) that is deleted on <see cref="Dispose"/>;
/// deleting the namespace also removes every interface, address and route created inside it.
/// </summary>
public sealed class TestNetNs : IDisposable
{
    /// <summary>Every namespace these tests create starts with this, so leftovers can be found and removed.</summary>
    public const string NamePrefix = "cv6t-";

    private bool disposed;

    public TestNetNs()
    {
        Name = NamePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        Command.Run("ip", "netns", "add", Name);
        try
        {
            // Loopback up, as a container runtime would leave it.
            Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The namespace name (also a valid <c>ip netns exec</c> target).</summary>
    public string Name { get; }

    /// <summary>The bind-mounted namespace file, as a runtime passes it in CNI_NETNS.</summary>
    public string Path => "/var/run/netns/" + Name;

    /// <summary>Runs a command inside the namespace; throws when it fails.</summary>
    public string Exec(string fileName, params string[] arguments)
        => Command.Run("ip", ["netns", "exec", Name, fileName, .. arguments]);

    /// <summary>Runs a command inside the namespace and returns its exit code and output.</summary>
    public CommandResult TryExec(string fileName, params string[] arguments)
        => Command.TryRun("ip", ["netns", "exec", Name, fileName, .. arguments]);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Command.TryRun("ip", "netns", "delete", Name);
    }
}
