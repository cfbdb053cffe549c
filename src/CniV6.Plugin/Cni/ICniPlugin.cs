using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// The operations of a CNI plugin. The dispatcher has validated the environment and the configuration before
/// calling; implementations report failures by throwing <see cref="CniException"/>.
/// </summary>
internal interface ICniPlugin
{
    CniResult Add(CniRequest request);

    void Del(CniRequest request);

    /// <summary>Throws <see cref="CniException"/> naming what is missing or wrong.</summary>
    void Check(CniRequest request);

    /// <summary>Throws <see cref="CniException"/> with code 50 or 51 when the plugin is not ready.</summary>
    void Status(CniRequest request);

    void Gc(CniRequest request, IReadOnlyList<CniAttachment> validAttachments);
}
