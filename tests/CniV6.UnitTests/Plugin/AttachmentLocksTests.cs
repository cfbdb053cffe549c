using CniV6.Core.Pod;
using CniV6.UnitTests.Linux;

namespace CniV6.UnitTests.Plugin;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AttachmentLocksTests : IDisposable
{
    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void An_attachment_is_in_flight_exactly_while_its_lock_is_held_and_only_in_its_network()
    {
        var locks = new AttachmentLocks(_scratch.Combine("attachments"));
        Assert.Empty(locks.InFlight("pods"));

        using (var held = locks.Hold("pods", "c1", "eth0", TimeSpan.FromSeconds(1)))
        {
            Assert.Equal([("c1", "eth0")], locks.InFlight("pods"));
            Assert.Empty(locks.InFlight("pods2"));
            Assert.Empty(locks.InFlight("pod"));
        }

        Assert.Empty(locks.InFlight("pods"));
    }

    [Fact]
    public void A_second_holder_of_one_attachment_waits_and_times_out()
    {
        var locks = new AttachmentLocks(_scratch.Combine("attachments"));
        using var first = locks.Hold("pods", "c1", "eth0", TimeSpan.FromSeconds(1));

        Assert.Throws<TimeoutException>(() => locks.Hold("pods", "c1", "eth0", TimeSpan.FromMilliseconds(100)));
        using var other = locks.Hold("pods", "c1", "net1", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_directory_is_created_0700()
    {
        var locks = new AttachmentLocks(_scratch.Combine("run/cniv6/attachments"));
        using var held = locks.Hold("pods", "c1", "eth0", TimeSpan.FromSeconds(1));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(locks.Directory));
    }
}
