using System.Net;
using CniV6.Core.Nat;
using CniV6.UnitTests.Linux;

namespace CniV6.UnitTests.Nat;

/// <summary>Under any umask the marker directory (and its missing parents) is 0700 and markers and the lock are 0600.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(ProcessUmask.Name)]
public sealed class MasqueradeMarkerModeTests : IDisposable
{
    private const UnixFileMode UserRw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode UserRwx = UserRw | UnixFileMode.UserExecute;
    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(0x000)] // 000: was 0777 directories and 0666 markers
    [InlineData(0x012)] // 022
    public void Markers_and_their_directory_get_exact_modes_whatever_the_umask(int umask)
    {
        var fake = new FakeNatTables();
        string directory = Path.Combine(_scratch.Path, "run", "cniv6", "masquerade");
        using (ProcessUmask.Set(umask))
        {
            new IptablesMasqueradeBackend(fake, directory, () => 42, () => fake.Generation)
                .Ensure(MasqueradePlan.For("podnet", [IPNetwork.Parse("fd00:10:244::/64")], []));
        }

        Assert.Equal(UserRwx, File.GetUnixFileMode(directory));
        Assert.Equal(UserRwx, File.GetUnixFileMode(Path.Combine(_scratch.Path, "run")));
        string marker = Assert.Single(Directory.GetFiles(directory, "42-*"));
        Assert.Equal(UserRw, File.GetUnixFileMode(marker));
        Assert.Equal(UserRw, File.GetUnixFileMode(Path.Combine(directory, "lock")));
    }
}
