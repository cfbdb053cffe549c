namespace CniV6.Core.Forwarding;

/// <summary>
/// Turns on packet forwarding for the node (the namespace of the calling thread). For IPv6 every interface that
/// accepts router advertisements (accept_ra=1) is first switched to accept_ra=2, because with forwarding=1 the
/// kernel ignores RAs on accept_ra=1 interfaces and the node would lose its RA-learned default route
/// (containernetworking/plugins#21, calico#6751). Values are read before they are written, so a node that is
/// already set up costs a few reads and no writes.
/// </summary>
public sealed class ForwardingSysctls : IPacketForwarding
{
    private const string DefaultRoot = "/proc/sys";

    // Not interfaces: "all" is not consulted for accept_ra, and "default" only seeds interfaces created later
    // (pod veths, whose accept_ra the pod wiring sets to 0 itself).
    private static readonly string[] PseudoInterfaces = ["all", "default"];

    private readonly string _root;

    public ForwardingSysctls()
        : this(DefaultRoot)
    {
    }

    /// <param name="procSysRoot">A directory laid out like /proc/sys (tests use a temporary copy).</param>
    internal ForwardingSysctls(string procSysRoot)
    {
        _root = procSysRoot;
    }

    /// <summary>Enables forwarding for the requested families and returns the keys it had to change (empty when all were set).</summary>
    /// <exception cref="InvalidOperationException">IPv6 forwarding was requested but IPv6 is disabled in the kernel.</exception>
    public IReadOnlyList<string> Enable(bool ipv6, bool ipv4)
    {
        var changed = new List<string>();
        if (ipv6)
        {
            string ipv6Conf = Path.Combine(_root, "net/ipv6/conf");
            if (!File.Exists(Path.Combine(ipv6Conf, "all/forwarding")))
            {
                throw new InvalidOperationException($"IPv6 forwarding requested but {ipv6Conf}/all/forwarding does not exist: IPv6 is disabled on this node");
            }

            foreach (string interfaceDirectory in Directory.EnumerateDirectories(ipv6Conf).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(interfaceDirectory);
                if (!PseudoInterfaces.Contains(name))
                {
                    // Only 1 is changed: 0 means the admin does not want RAs, 2 is already right.
                    SetIf($"net/ipv6/conf/{name}/accept_ra", "1", "2", changed, interfaceMayVanish: true);
                }
            }

            Set("net/ipv6/conf/all/forwarding", "1", changed);
        }

        if (ipv4)
        {
            Set("net/ipv4/ip_forward", "1", changed);
        }

        return changed;
    }

    /// <summary>
    /// The pod-start path: two reads when forwarding is already on (the usual case, the agent turned it on), and
    /// the full <see cref="Enable"/> otherwise. Scanning every interface's accept_ra on each ADD would cost one file
    /// read per pod on the node.
    /// </summary>
    public IReadOnlyList<string> EnsureEnabled(bool ipv6, bool ipv4)
    {
        bool ipv6Done = !ipv6 || (TryRead("net/ipv6/conf/all/forwarding") == "1");
        bool ipv4Done = !ipv4 || (TryRead("net/ipv4/ip_forward") == "1");
        return ipv6Done && ipv4Done ? [] : Enable(ipv6, ipv4);
    }

    private string? TryRead(string key) => File.Exists(Path.Combine(_root, key)) ? Read(key) : null;

    private void Set(string key, string value, List<string> changed)
    {
        if (Read(key) != value)
        {
            Write(key, value);
            changed.Add(key);
        }
    }

    private void SetIf(string key, string expected, string value, List<string> changed, bool interfaceMayVanish)
    {
        try
        {
            if (Read(key) == expected)
            {
                Write(key, value);
                changed.Add(key);
            }
        }
        catch (Exception e) when (interfaceMayVanish && e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The interface went away between listing and writing: nothing left to protect.
        }
    }

    private string Read(string key) => File.ReadAllText(Path.Combine(_root, key)).Trim();

    private void Write(string key, string value) => File.WriteAllText(Path.Combine(_root, key), value);
}
