namespace CniV6.Linux;

/// <summary>What stat(2) says about a file, in the units the callers compare.</summary>
/// <param name="Type">The S_IFMT bits.</param>
/// <param name="Permissions">The low twelve mode bits (permissions plus set-id and sticky bits).</param>
/// <param name="Size">st_size in bytes.</param>
/// <param name="Device">st_dev; with <paramref name="Inode"/> it names the file.</param>
/// <param name="Inode">st_ino.</param>
public readonly record struct FileStatus(PosixFileType Type, UnixFileMode Permissions, long Size, ulong Device, ulong Inode)
{
    /// <summary>"a regular file", "a FIFO", … for messages.</summary>
    public static string Describe(PosixFileType type) => type switch
    {
        PosixFileType.RegularFile => "a regular file",
        PosixFileType.Directory => "a directory",
        PosixFileType.SymbolicLink => "a symbolic link",
        PosixFileType.Fifo => "a FIFO",
        PosixFileType.CharacterDevice => "a character device",
        PosixFileType.BlockDevice => "a block device",
        PosixFileType.Socket => "a socket",
        _ => "a file of unknown type",
    };
}
