namespace CniV6.Core.Nat;

/// <summary>A masquerade backend could not read or change the node's rules; the message says what and why.</summary>
public class MasqueradeException : Exception
{
    public MasqueradeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
