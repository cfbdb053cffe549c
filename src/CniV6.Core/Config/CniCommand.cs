namespace CniV6.Core.Config;

/// <summary>Values of <c>CNI_COMMAND</c>.</summary>
public static class CniCommand
{
    public const string Add = "ADD";
    public const string Del = "DEL";
    public const string Check = "CHECK";
    public const string Gc = "GC";
    public const string Status = "STATUS";
    public const string Version = "VERSION";
}
