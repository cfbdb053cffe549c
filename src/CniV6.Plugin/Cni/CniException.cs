using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// A failure that the dispatcher prints as the CNI error object
/// <c>{"cniVersion":…,"code":…,"msg":…,"details":…}</c>; <see cref="Exception.Message"/> is <c>msg</c>.
/// </summary>
internal sealed class CniException : Exception
{
    public CniException(int code, string message, string details = "", Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Details = details;
    }

    /// <summary>One of <see cref="CniErrorCode"/> or a plugin-specific code ≥ 100.</summary>
    public int Code { get; }

    /// <summary>Longer description; empty when there is nothing to add to the message.</summary>
    public string Details { get; }

    /// <summary>
    /// The CNI error a configuration or result problem found by Core's parsers answers with: same code, message and
    /// details. No inner exception: the parser's stack adds nothing to the log line the message already makes.
    /// </summary>
    public static CniException From(ConfigException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new CniException(e.Code, e.Message, e.Details);
    }
}
