namespace CniV6.Agent.Dataplane;

/// <summary>An interface as a log line shows it: its name, looked up only when the line is written.</summary>
internal readonly record struct DeviceText(int Index, Func<int, string> NameOf)
{
    public override string ToString() => NameOf(Index);
}
