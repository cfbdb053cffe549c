namespace CniV6.Core.Config;

/// <summary>
/// The CNI specification's error codes (SPEC.md "Error") that a configuration can earn by itself. They are defined
/// here, next to the parser that decides them; the plugin's <c>CniErrorCode</c> refers to these constants rather
/// than repeating the numbers, and adds the codes only a running command can earn.
/// </summary>
public static class ConfigErrorCode
{
    /// <summary>The cniVersion is not one we speak, or too old for the command.</summary>
    public const int IncompatibleVersion = 1;

    /// <summary>The document is not JSON, not an object, or not text.</summary>
    public const int DecodingFailure = 6;

    /// <summary>A field is missing, of the wrong type or out of range.</summary>
    public const int InvalidNetworkConfig = 7;
}
