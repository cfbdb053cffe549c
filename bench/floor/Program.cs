using System.Text;

namespace CniV6.Bench.Floor;

/// <summary>
/// A CNI plugin that does nothing: it reads the configuration like a plugin must, and answers ADD with one fixed,
/// valid 1.0.0 result (an address and a route), CHECK and DEL with success, VERSION with the versions it speaks.
/// What a call to it costs through libcni is the floor under any Native AOT plugin: process start, the runtime's
/// start-up, stdin and stdout.
/// </summary>
internal static class Program
{
    private const string AddResult =
        """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/floor"}],"ips":[{"address":"fd00:10:244:1::2/128","gateway":"fd00:10:244:1::1","interface":0}],"routes":[{"dst":"::/0"}],"dns":{}}""";

    private const string VersionResult =
        """{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0"]}""";

    public static int Main()
    {
        using (var stdin = Console.OpenStandardInput())
        {
            // Drain the configuration as a real plugin would (libcni writes it whole before it waits for us).
            stdin.CopyTo(Stream.Null);
        }

        var answer = Environment.GetEnvironmentVariable("CNI_COMMAND") switch
        {
            "ADD" => AddResult,
            "VERSION" => VersionResult,
            "CHECK" or "DEL" or "GC" or "STATUS" => null,
            _ => "",
        };
        if (answer is null)
        {
            return 0;
        }

        using var stdout = Console.OpenStandardOutput();
        if (answer.Length == 0)
        {
            stdout.Write("""{"cniVersion":"1.0.0","code":4,"msg":"unknown CNI_COMMAND"}"""u8);
            return 1;
        }

        stdout.Write(Encoding.UTF8.GetBytes(answer));
        return 0;
    }
}
