namespace CniV6.Core.Config;

/// <summary>
/// A configuration (or result document) that cannot be used. It carries the CNI error code the specification
/// gives that failure (<see cref="ConfigErrorCode"/>) so the plugin's dispatcher can print it as the CNI error
/// object unchanged, while Core stays free of the plugin's process boundary.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(int code, string message, string details = "")
        : base(message)
    {
        Code = code;
        Details = details;
    }

    /// <summary>One of <see cref="ConfigErrorCode"/>.</summary>
    public int Code { get; }

    /// <summary>Longer description; empty when there is nothing to add to the message.</summary>
    public string Details { get; }
}
