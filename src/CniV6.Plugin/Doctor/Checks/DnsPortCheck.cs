using System.Globalization;
using System.Net;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Something on the node already listening on port 53 (systemd-resolved's stub, dnsmasq) takes the port a
/// host-network DNS (NodeLocal DNSCache, a hostNetwork CoreDNS) needs, and such a cache then fails to start. Read from
/// /proc/net/{tcp,tcp6,udp,udp6} of doctor's network namespace.
/// </summary>
internal sealed class DnsPortCheck : IDoctorCheck
{
    private const int DnsPort = 53;
    private const string TcpListen = "0A";
    private const string UdpUnconnected = "07";

    public string Name => "dns-port";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var listeners = new List<string>();
        foreach (var table in (string[])["tcp", "tcp6", "udp", "udp6"])
        {
            string text;
            try
            {
                text = File.ReadAllText($"/proc/net/{table}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            listeners.AddRange(Listeners(table, text).Select(endpoint => $"{table.TrimEnd('6')} {endpoint}"));
        }

        yield return Evaluate(listeners.Distinct().ToList());
    }

    /// <summary>Local endpoints on port 53 of one /proc/net table that listen (TCP) or are bound unconnected (UDP).</summary>
    internal static IEnumerable<IPEndPoint> Listeners(string table, string procNetText)
    {
        var listenState = table.StartsWith("tcp", StringComparison.Ordinal) ? TcpListen : UdpUnconnected;
        foreach (var line in procNetText.Split('\n').Skip(1))
        {
            // "  sl  local_address rem_address   st ...": "0: 3500007F:0035 00000000:0000 0A ..."
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != listenState || fields[1].Split(':') is not [var hexAddress, var hexPort]
                || !int.TryParse(hexPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port) || port != DnsPort)
            {
                continue;
            }

            if (ParseAddress(hexAddress) is { } address)
            {
                yield return new IPEndPoint(address, port);
            }
        }
    }

    internal static DoctorFinding Evaluate(IReadOnlyList<string> listeners)
    {
        const string check = "dns-port";
        return listeners.Count == 0
            ? DoctorFinding.Ok(check, "nothing listens on port 53")
            : DoctorFinding.Warn(check,
                $"port 53 is taken ({string.Join(", ", listeners)}): a host-network DNS (NodeLocal DNSCache) cannot bind it",
                "ss -lntup 'sport = :53' to see who; for systemd-resolved: mkdir -p /etc/systemd/resolved.conf.d && printf '[Resolve]\\nDNSStubListener=no\\n' > /etc/systemd/resolved.conf.d/cniv6.conf && systemctl restart systemd-resolved");
    }

    /// <summary>/proc/net prints addresses as 32-bit words in host byte order (little-endian on every platform we run on).</summary>
    private static IPAddress? ParseAddress(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            for (var i = 0; i < 4; i++)
            {
                // Each 8-hex-digit word is a little-endian u32: its last byte pair is the first byte in memory.
                var text = hex.Substring((word * 8) + ((3 - i) * 2), 2);
                if (!byte.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[(word * 4) + i]))
                {
                    return null;
                }
            }
        }

        return new IPAddress(bytes);
    }
}
