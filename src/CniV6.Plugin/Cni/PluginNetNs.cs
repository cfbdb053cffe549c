using System.Text;
using Tmds.Linux;

namespace CniV6.Plugin.Cni;

/// <summary>
/// Guards against a runtime passing the plugin's own network namespace as CNI_NETNS (libcni skel's CheckNetNS):
/// the "pod" interface would then be created, or deleted, among the node's own interfaces.
/// </summary>
internal static class PluginNetNs
{
    private const string Own = "/proc/thread-self/ns/net";

    /// <summary>
    /// True when <paramref name="netnsPath"/> is the namespace this thread runs in. A path that cannot be
    /// examined is not ours; the plugin reports it properly (and DEL tolerates it).
    /// </summary>
    public static bool IsOwn(string netnsPath) =>
        TryIdentify(netnsPath, out var target) && TryIdentify(Own, out var own) && target == own;

    private static unsafe bool TryIdentify(string path, out (ulong Device, ulong Inode) identity)
    {
        identity = default;
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        stat st;
        fixed (byte* p = bytes)
        {
            if (LibC.stat(p, &st) != 0)
            {
                return false;
            }
        }

        identity = (st.st_dev, st.st_ino);
        return true;
    }
}
