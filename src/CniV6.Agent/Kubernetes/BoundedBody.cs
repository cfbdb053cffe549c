using System.Buffers;

namespace CniV6.Agent.Kubernetes;

/// <summary>Reads an apiserver response body with a bound, whatever its Content-Length claims or its chunks add up to.</summary>
internal static class BoundedBody
{
    /// <summary>The whole body; a body over <paramref name="maxBytes"/> is a <see cref="KubernetesDataException"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContent content, int maxBytes, string what, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } length && length > maxBytes)
        {
            throw new KubernetesDataException($"{what}: the response has {length} bytes, more than the {maxBytes} accepted");
        }

        var (body, complete) = await ReadUpToAsync(content, maxBytes, cancellationToken).ConfigureAwait(false);
        return complete ? body : throw new KubernetesDataException($"{what}: the response is longer than the {maxBytes} bytes accepted");
    }

    /// <summary>At most the first <paramref name="maxBytes"/> bytes of the body (an error message is only ever shown in part).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadPrefixAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken) =>
        (await ReadUpToAsync(content, maxBytes, cancellationToken).ConfigureAwait(false)).Body;

    private static async Task<(ReadOnlyMemory<byte> Body, bool Complete)> ReadUpToAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes + 1L - body.Length)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (new ReadOnlyMemory<byte>(body.GetBuffer(), 0, (int)body.Length), true);
                    }

                    var keep = (int)Math.Min(read, maxBytes - body.Length);
                    body.Write(chunk, 0, keep);
                    if (keep < read)
                    {
                        return (new ReadOnlyMemory<byte>(body.GetBuffer(), 0, (int)body.Length), false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }
}
