using System.Security.Cryptography;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>
/// A throwaway named network namespace (<c>ip netns add cv6e-…</c>), deleted on Dispose. Deleting it
/// also deletes every interface, route and nat rule inside, so nothing outlives a test.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    /// <summary>Every namespace these tests create starts with this, so leftovers are easy to find.</summary>
    public const string Prefix = "cv6e-";

    private bool disposed;

    /// <param name="prefix">The name prefix; <see cref="Prefix"/> unless a suite keeps its namespaces apart by its own.</param>
    public NetworkNamespace(string role, string prefix = Prefix)
    {
        Name = $"{prefix}{role}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        ProcessRunner.RunChecked("ip", "netns", "add", Name);
        try
        {
            // Loopback up, as a container runtime leaves a sandbox.
            ProcessRunner.RunChecked("ip", "-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The bind-mounted namespace file, as a runtime passes it in CNI_NETNS.</summary>
    public string Path => "/var/run/netns/" + Name;

    /// <summary>Runs a command inside the namespace.</summary>
    public ProcessResult Exec(string fileName, params string[] arguments) =>
        ProcessRunner.Run("ip", ["netns", "exec", Name, fileName, .. arguments]);

    /// <summary>Runs a command inside the namespace and returns stdout; throws when it fails.</summary>
    public string ExecChecked(string fileName, params string[] arguments)
    {
        ProcessResult result = Exec(fileName, arguments);
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException(result.Describe());
    }

    /// <summary>Runs <c>ip -n &lt;ns&gt; …</c> and returns stdout; throws when it fails.</summary>
    public string Ip(params string[] arguments) => ProcessRunner.RunChecked("ip", ["-n", Name, .. arguments]);

    /// <summary>Deletes the namespace now (a test simulating a vanished sandbox); Dispose then does nothing.</summary>
    public void Delete() => Dispose();

    public bool Exists => File.Exists(Path);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        ProcessRunner.Run("ip", "netns", "delete", Name);
    }
}
