namespace CniV6.Linux;

/// <summary>What stat(2) says about a file, in the units the callers compare.</summary>
/// <param name="Type">The S_IFMT bits.</param>
/// <param name="Permissions">The low twelve mode bits (permissions plus set-id and sticky bits).</param>
/// <param name="Size">st_size in bytes.</param>
/// <param name="Device">st_dev; with <paramref name="Inode"/> it names the file.</param>
/// <param name="Inode">st_ino.</param>
public readonly record struct FileStatus(PosixFileType Type, UnixFileMode Permissions, long Size, ulong Device, ulong Inode)
{
    /// <summary>st_uid: who owns the file (a directory someone else owns is not ours to keep state in).</summary>
    public uint Owner { get; init; }

    /// <summary>Group or others may create, rename or remove entries (a directory) or change the content (a file).</summary>
    public bool IsWritableByOthers => (Permissions & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

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
