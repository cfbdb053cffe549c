namespace CniV6.Agent;

internal static class Program
{
    public static int Main() => 0;
}
