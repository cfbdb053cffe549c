namespace CniV6.Agent.Dataplane;

/// <summary>
/// Replaces a file so readers (the container runtime, a kubelet exec'ing the plugin) see either the old or the
/// new content, never a half-written one: write a temp file in the same directory, fsync, rename over.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> unless the file already holds exactly it; true when written.</summary>
    public static bool WriteIfChanged(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (File.Exists(path) && SameContent(path, content))
        {
            return false;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // The create mode is filtered by umask; the installed file must have exactly this mode (e.g. 0755).
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return true;
    }

    private static bool SameContent(string path, ReadOnlySpan<byte> content)
    {
        // A plain comparison: hashing would load libcrypto into an otherwise crypto-free process for nothing.
        using var stream = File.OpenRead(path);
        if (stream.Length != content.Length)
        {
            return false;
        }

        var existing = new byte[content.Length];
        stream.ReadExactly(existing);
        return content.SequenceEqual(existing);
    }
}
