namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Reads a watch stream one line (one JSON event) at a time with a bound on the line's length, so a server that
/// never sends a newline cannot grow the agent's memory without limit (<see cref="StreamReader.ReadLineAsync()"/>
/// has no bound). The buffer grows only as far as the longest line seen, up to the bound.
/// </summary>
internal sealed class WatchLineReader(Stream stream, int maxLineBytes)
{
    private const int InitialBufferBytes = 16 * 1024;

    private byte[] _buffer = new byte[Math.Min(InitialBufferBytes, maxLineBytes + 1)];
    private int _start;
    private int _end;

    /// <summary>
    /// The next line without its newline, valid until the next call; null at the end of the stream. A last line
    /// without a newline (the connection dropped mid-event) is dropped: half an event is never applied.
    /// </summary>
    /// <exception cref="KubernetesDataException">a line is longer than the bound.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline - _start);
                _start = newline + 1;
                return line;
            }

            if (_end - _start > maxLineBytes)
            {
                throw new KubernetesDataException($"a watch line is longer than {maxLineBytes} bytes");
            }

            scanFrom = _end;
            if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    scanFrom -= _start;
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, maxLineBytes + 1L));
                }
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }
}
