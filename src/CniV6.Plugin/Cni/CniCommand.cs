namespace CniV6.Plugin.Cni;

/// <summary>Values of <c>CNI_COMMAND</c>.</summary>
internal static class CniCommand
{
    public const string Add = "ADD";
    public const string Del = "DEL";
    public const string Check = "CHECK";
    public const string Gc = "GC";
    public const string Status = "STATUS";
    public const string Version = "VERSION";
}
