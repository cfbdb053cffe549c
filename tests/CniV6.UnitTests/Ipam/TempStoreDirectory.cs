namespace CniV6.UnitTests.Ipam;

/// <summary>A private temporary data directory for one test, deleted afterwards.</summary>
public sealed class TempStoreDirectory : IDisposable
{
    public TempStoreDirectory()
    {
        Path = Directory.CreateTempSubdirectory("cv6n-ipam-").FullName;
    }

    public string Path { get; }

    public string NetworkDirectory(string network) => System.IO.Path.Combine(Path, network);

    public string StatePath(string network) => System.IO.Path.Combine(Path, network, "state.json");

    /// <summary>The record file of one attachment.</summary>
    public string RecordPath(string network, string containerId, string ifName) =>
        System.IO.Path.Combine(Path, network, "attachments", containerId + "=" + ifName);

    /// <summary>The claim file of one address.</summary>
    public string ClaimPath(string network, string address) => System.IO.Path.Combine(Path, network, "addresses", address);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
