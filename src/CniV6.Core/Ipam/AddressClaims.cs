using System.Net;
using System.Text;
using CniV6.Linux;

namespace CniV6.Core.Ipam;

/// <summary>
/// <c>&lt;store&gt;/addresses/</c>: one file per address in use, named by the address (canonical text) and holding
/// the name of the record of the attachment that claimed it. An address is taken exactly when its file exists: the
/// claim is made with O_CREAT|O_EXCL (which never follows a symlink), so it is atomic, and costs the same with five
/// pods on the node as with five thousand. The content only says whose claim it is, so that releasing one attachment
/// never removes another's claim and a retried ADD recognizes a claim its crashed first attempt left.
/// </summary>
internal sealed class AddressClaims(string directory)
{
    public const string DirectoryName = "addresses";

    /// <summary>Largest claim file read: the owner is a record name of at most 144 bytes.</summary>
    public const int MaxClaimBytes = 1024;

    public string Directory { get; } = directory;

    public string PathOf(IPAddress address) => Path.Combine(Directory, address.ToString());

    /// <summary>
    /// Claims <paramref name="address"/> for <paramref name="owner"/>. True when this call created the claim or the
    /// claim is already <paramref name="owner"/>'s (left by a crashed attempt of the same attachment); false when the
    /// address is taken (by anyone else, or by something that is not a claim this store wrote).
    /// </summary>
    /// <param name="created">True when this call created the file (a failure later must remove it again).</param>
    public bool TryClaim(IPAddress address, string owner, out bool created)
    {
        string path = PathOf(address);
        SafeFd? fd = PosixFile.TryOpen(path, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create | PosixOpenFlags.Exclusive,
            StoreFiles.PrivateFileMode, out created, out int errno);
        if (fd is null)
        {
            return errno == Errno.EEXIST
                ? OwnerOf(path, strict: false) == owner
                : throw PosixErrors.ToException("open", errno, path);
        }

        using (fd)
        {
            try
            {
                PosixFile.WriteAll(fd, Encoding.UTF8.GetBytes(owner + "\n"), path);
            }
            catch
            {
                // A full file system: no half-made claim stays behind.
                _ = PosixFile.Unlink(path);
                created = false;
                throw;
            }
        }

        return true;
    }

    /// <summary>
    /// Removes the claim of <paramref name="address"/> when it is <paramref name="owner"/>'s, or empty (a claim whose
    /// content a crash lost, named by the owner's record); another attachment's claim is left alone.
    /// </summary>
    public void Release(IPAddress address, string owner)
    {
        string path = PathOf(address);
        string? current = OwnerOf(path, strict: true);
        if (current is not null && (current.Length == 0 || current == owner))
        {
            _ = PosixFile.Unlink(path);
        }
    }

    /// <summary>Every claimed address (file names that are not canonical addresses are not claims and are ignored).</summary>
    public IEnumerable<IPAddress> List()
    {
        foreach (string name in StoreFiles.Names(Directory))
        {
            if (IPAddress.TryParse(name, out IPAddress? address) && address.ToString() == name)
            {
                yield return address;
            }
        }
    }

    /// <summary>The owner a claim names ("" for an empty claim); null when it is gone or not a claim this store could have written.</summary>
    public string? OwnerOrNull(IPAddress address) => OwnerOf(PathOf(address), strict: false);

    /// <summary>Removes a claim whatever its content (the caller has established that no record holds the address).</summary>
    public void Remove(IPAddress address) => _ = PosixFile.Unlink(PathOf(address));

    /// <summary>
    /// The owner named in a claim; "" when the file is empty, null when there is none. Strict: a claim that is not a
    /// regular file or is too large is an <see cref="IpamStoreCorruptException"/>; otherwise it reads as null (whoever
    /// made it, it is not a claim this attachment may take over).
    /// </summary>
    private static string? OwnerOf(string path, bool strict)
    {
        byte[]? content;
        try
        {
            content = StoreFiles.ReadIfExists(path, MaxClaimBytes);
        }
        catch (IpamStoreCorruptException) when (!strict)
        {
            return null;
        }

        return content is null ? null : Encoding.UTF8.GetString(content).TrimEnd('\n');
    }
}
