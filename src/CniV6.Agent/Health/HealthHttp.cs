using System.Globalization;
using System.Text;

namespace CniV6.Agent.Health;

/// <summary>
/// The little of HTTP/1.x the health endpoint speaks: the request line of a GET or HEAD (headers are read and
/// ignored), and one complete response per connection (<c>Connection: close</c>). Enough for the kubelet's probes,
/// Prometheus and curl; anything else gets a 4xx. It exists because the managed HttpListener cannot bind an IPv6
/// literal (its prefix parser takes the first ':' after the host's '[' for the port: "net_invalid_port"), and the
/// node IP of an IPv6-first cluster is one.
/// </summary>
internal static class HealthHttp
{
    /// <summary>Request heads longer than this are refused (431); probes and scrapers send a few hundred bytes.</summary>
    public const int MaxRequestHead = 8192;

    /// <summary>Where the request head ends ("\r\n\r\n", or a bare "\n\n"), or -1 while incomplete.</summary>
    public static int HeadLength(ReadOnlySpan<byte> received)
    {
        var crlf = received.IndexOf("\r\n\r\n"u8);
        var lf = received.IndexOf("\n\n"u8);
        return crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
    }

    /// <summary>
    /// The method and path (without query) of a request head, or the status that refuses it: 400 for a malformed
    /// request line, 405 for a method other than GET and HEAD, 505 for a version other than HTTP/1.x.
    /// </summary>
    public static (string Method, string Path, int? Refusal) ParseRequestLine(ReadOnlySpan<byte> head)
    {
        var end = head.IndexOf((byte)'\n');
        var line = Encoding.ASCII.GetString(end < 0 ? head : head[..end]).TrimEnd('\r');
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[1][0] != '/')
        {
            return ("", "", 400);
        }

        if (!parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (parts[0], "", 505);
        }

        var path = parts[1].Split('?', 2)[0];
        return parts[0] is "GET" or "HEAD" ? (parts[0], path, null) : (parts[0], path, 405);
    }

    /// <summary>A complete response; HEAD gets the headers of the GET without its body.</summary>
    public static byte[] Response(int status, string contentType, string body, bool headOnly)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var header = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes(header);
        return headOnly ? bytes : [.. bytes, .. content];
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    };
}
