using System.Runtime.InteropServices;

namespace CniV6.Core.Nat;

/// <summary>
/// The part of libnftables (nftables' own library, <c>libnftables.so.1</c>) that runs nft commands in-process: a
/// context, buffered output and error text, and one call that parses and commits a whole script as one transaction.
/// Bound lazily (the first call dlopens the library), so a node without it only loses the nftables backend:
/// <see cref="IsAvailable"/> probes once before anything calls in. Mirrors <c>nftables/libnftables.h</c>.
/// </summary>
internal static partial class LibNftables
{
    /// <summary>The soname every distribution ships (Debian/Ubuntu libnftables1, Fedora/RHEL nftables).</summary>
    public const string Library = "libnftables.so.1";

    /// <summary>NFT_CTX_DEFAULT: a context with the default symbol tables and no extra flags.</summary>
    public const uint NFT_CTX_DEFAULT = 0;

    /// <summary>NFT_CTX_OUTPUT_STATELESS: listings omit counter values and set contents that change by themselves.</summary>
    public const uint NFT_CTX_OUTPUT_STATELESS = 1 << 2;

    /// <summary>NFT_CTX_OUTPUT_NUMERIC_PRIO: chain priorities as numbers (older nft versions print nothing else).</summary>
    public const uint NFT_CTX_OUTPUT_NUMERIC_PRIO = 1 << 8;

    private static readonly Lazy<bool> DefaultAvailable = new(() => Probe(Library));

    /// <summary>
    /// True when <paramref name="library"/> (by default the real soname, probed once per process) can be loaded and
    /// has the entry points we call. A different name is for tests that simulate a node without libnftables.
    /// </summary>
    public static bool IsAvailable(string library = Library) =>
        library == Library ? DefaultAvailable.Value : Probe(library);

    private static bool Probe(string library)
    {
        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return false;
        }

        // The handle stays loaded: the bound calls below resolve through the same soname.
        return NativeLibrary.TryGetExport(handle, "nft_ctx_new", out _)
            && NativeLibrary.TryGetExport(handle, "nft_run_cmd_from_buffer", out _)
            && NativeLibrary.TryGetExport(handle, "nft_ctx_get_error_buffer", out _);
    }

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    internal static partial IntPtr NftCtxNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    internal static partial void NftCtxFree(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    internal static partial int NftCtxBufferOutput(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    internal static partial int NftCtxBufferError(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    internal static partial IntPtr NftCtxGetOutputBuffer(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    internal static partial IntPtr NftCtxGetErrorBuffer(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_set_flags")]
    internal static partial void NftCtxOutputSetFlags(IntPtr ctx, uint flags);

    /// <summary>Parses <paramref name="buffer"/> (NUL-terminated) and commits it as one transaction; 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer")]
    internal static unsafe partial int NftRunCmdFromBuffer(IntPtr ctx, byte* buffer);
}
