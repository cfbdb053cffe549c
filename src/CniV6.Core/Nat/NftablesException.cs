namespace CniV6.Core.Nat;

/// <summary>libnftables refused a script (or could not run at all); carries the first command and nft's error text.</summary>
public class NftablesException : MasqueradeException
{
    public NftablesException(string what, string error, Exception? innerException = null)
        : base($"nft {what} failed: {error.Trim()}", innerException)
    {
        Error = error;
    }

    /// <summary>What libnftables wrote to its error buffer (nft's usual "Error: …" lines).</summary>
    public string Error { get; }
}
