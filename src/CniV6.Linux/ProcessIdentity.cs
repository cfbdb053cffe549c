using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>Who this process acts as: the owner a file or directory must have to be trusted as our own.</summary>
public static class ProcessIdentity
{
    /// <summary>geteuid(2).</summary>
    public static uint EffectiveUserId => LibC.geteuid();
}
