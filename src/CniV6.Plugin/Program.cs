namespace CniV6.Plugin;

internal static class Program
{
    public static int Main() => 0;
}
