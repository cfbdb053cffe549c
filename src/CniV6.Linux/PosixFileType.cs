namespace CniV6.Linux;

/// <summary>The file type bits of st_mode (S_IFMT).</summary>
public enum PosixFileType
{
    Unknown,
    RegularFile,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}
