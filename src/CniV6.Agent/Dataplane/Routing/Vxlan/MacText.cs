namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>A MAC address for log messages, formatted only when a message is written ("0e:12:34:56:78:9a").</summary>
internal readonly record struct MacText(byte[] Bytes)
{
    public override string ToString() => TunnelAddressing.FormatMac(Bytes);
}
