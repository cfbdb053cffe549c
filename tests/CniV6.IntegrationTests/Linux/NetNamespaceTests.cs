using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;

namespace CniV6.IntegrationTests.Linux;

public sealed class NetNamespaceTests
{
    [Fact]
    public void Run_on_a_missing_path_throws_NetNamespaceNotFoundException()
    {
        string missing = "/var/run/netns/" + TestNetNs.NamePrefix + "does-not-exist";

        var ex = Assert.Throws<NetNamespaceNotFoundException>(() => NetNamespace.Run(missing, () => 1));

        Assert.Equal(missing, ex.Path);
    }

    [Fact]
    public void Run_on_a_regular_file_throws_NotANetNamespaceException()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.Throws<NotANetNamespaceException>(() => NetNamespace.Run(file, () => 1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Run_on_etc_hostname_throws_NotANetNamespaceException()
    {
        Assert.Throws<NotANetNamespaceException>(() => NetNamespace.Run("/etc/hostname", () => 1));
    }

    [Fact]
    public void Run_on_a_namespace_of_another_type_throws_NotANetNamespaceException()
    {
        Assert.Throws<NotANetNamespaceException>(() => NetNamespace.Run("/proc/self/ns/uts", () => 1));
    }

    [Fact]
    public void Run_executes_the_work_inside_the_namespace_and_leaves_the_caller_where_it_was()
    {
        using var ns = new TestNetNs();
        ulong callerBefore = CurrentInode();
        ulong expected = InodeOf(ns.Path);

        ulong inside = NetNamespace.Run(ns.Path, CurrentInode);

        Assert.Equal(expected, inside);
        Assert.NotEqual(callerBefore, inside);
        Assert.Equal(callerBefore, CurrentInode());
    }

    [Fact]
    public void Run_with_an_fd_from_OpenCurrent_returns_to_the_callers_namespace()
    {
        using var ns = new TestNetNs();
        ulong caller = CurrentInode();
        using SafeFd callerNs = NetNamespace.OpenCurrent();

        ulong back = NetNamespace.Run(ns.Path, () => NetNamespace.Run(callerNs, CurrentInode));

        Assert.Equal(caller, back);
    }

    [Fact]
    public void Run_rethrows_the_works_exception_on_the_caller()
    {
        using var ns = new TestNetNs();

        var ex = Assert.Throws<InvalidOperationException>(
            () => NetNamespace.Run(ns.Path, () => throw new InvalidOperationException("from inside")));

        Assert.Equal("from inside", ex.Message);
    }

    [Fact]
    public void Open_checks_the_namespace_and_returns_a_usable_fd()
    {
        using var ns = new TestNetNs();
        using SafeFd fd = NetNamespace.Open(ns.Path);

        Assert.Equal(InodeOf(ns.Path), NetNamespace.Run(fd, CurrentInode));
    }

    /// <summary>The calling thread's network namespace inode (the tests compare namespaces that all exist at once).</summary>
    private static ulong CurrentInode() => PosixFile.Stat("/proc/thread-self/ns/net", followSymlinks: true).Inode;

    private static ulong InodeOf(string path) => ulong.Parse(Command.Run("stat", "-L", "-c", "%i", path).Trim());
}
