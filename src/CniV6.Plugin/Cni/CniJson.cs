using System.Text.Encodings.Web;
using System.Text.Json;

namespace CniV6.Plugin.Cni;

/// <summary>Writer settings shared by every JSON document the plugin prints.</summary>
internal static class CniJson
{
    /// <summary>
    /// Compact output; relaxed escaping keeps quotes and non-ASCII readable in error messages (the output is never
    /// embedded in HTML).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
