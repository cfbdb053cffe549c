using System.Runtime.Versioning;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Cni;

/// <summary>Records what the dispatcher hands the plugin; returns a fixed result or throws a preset exception.</summary>
[SupportedOSPlatform("linux")]
internal sealed class FakeCniPlugin : ICniPlugin
{
    public List<string> Calls { get; } = [];

    public CniRequest? LastRequest { get; private set; }

    public IReadOnlyList<CniAttachment>? LastValidAttachments { get; private set; }

    public CniResult Result { get; set; } = new(null, [], [], []);

    public Exception? Failure { get; set; }

    public CniResult Add(CniRequest request)
    {
        Record("ADD", request);
        return Result;
    }

    public void Del(CniRequest request) => Record("DEL", request);

    public void Check(CniRequest request) => Record("CHECK", request);

    public void Status(CniRequest request) => Record("STATUS", request);

    public void Gc(CniRequest request, IReadOnlyList<CniAttachment> validAttachments)
    {
        LastValidAttachments = validAttachments;
        Record("GC", request);
    }

    private void Record(string command, CniRequest request)
    {
        Calls.Add(command);
        LastRequest = request;
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
